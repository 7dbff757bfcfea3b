package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Functional;
import dpvm.tensor.Init;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * torch.nn.MultiheadAttention with PyTorch's packed layout: {@code in_proj_weight [3E, E]} (query, key, value
 * rows in that order), {@code in_proj_bias [3E]}, and {@code out_proj.{weight,bias}}; initialised as PyTorch does
 * (xavier_uniform projections, zero biases). Inputs are [L, N, E], or [N, L, E] when batchFirst.
 */
public class MultiheadAttention extends Module {
    public final int embedDim, heads;
    public final boolean batchFirst;
    private final double dropout;
    private final Rng rng;
    private final Linear outProj;

    public MultiheadAttention(int embedDim, int heads, double dropout, boolean bias, boolean batchFirst, Rng rng) {
        if (embedDim % heads != 0) throw new IllegalArgumentException("MultiheadAttention: embed_dim " + embedDim + " is not divisible by " + heads + " heads");
        this.embedDim = embedDim;
        this.heads = heads;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.rng = rng;
        int[] shape = {3 * embedDim, embedDim};
        registerParameter("in_proj_weight", Inits.init(shape, () -> Init.xavierUniform(shape, 1, rng)));
        if (bias) registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim));
        outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, rng));
        if (bias && !Inits.isShapesOnly()) {
            dpvm.tensor.Autograd.noGrad(() -> {
                Functional.assign(outProj.bias(), Tensor.zeros(embedDim));
                return null;
            });
        }
    }

    public MultiheadAttention(int embedDim, int heads, boolean batchFirst) {
        this(embedDim, heads, 0, true, batchFirst, Rng.global());
    }

    /** Self-attention. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, null);
    }

    /**
     * @param attnMask additive mask broadcasting to [Lq, Lk] or [N*H, Lq, Lk], or null
     * @param keyPaddingMask [N, Lk] with 1 where a key is padding, or null
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask) {
        Tensor q = batchFirst ? query : query.transpose(0, 1);
        Tensor k = batchFirst ? key : key.transpose(0, 1);
        Tensor v = batchFirst ? value : value.transpose(0, 1);
        int n = q.size(0), lq = q.size(1), lk = k.size(1);
        Tensor w = param("in_proj_weight");
        Tensor b = hasParam("in_proj_bias") ? param("in_proj_bias") : null;
        Tensor qp = project(q, w, b, 0), kp = project(k, w, b, 1), vp = project(v, w, b, 2);
        Tensor mask = null;
        if (attnMask != null) {
            mask = attnMask.rank() == 3 ? attnMask.reshape(n, heads, lq, lk) : attnMask;
        }
        if (keyPaddingMask != null) {
            Tensor pad = Attention.additive(keyPaddingMask, qp).reshape(n, 1, 1, lk);
            mask = mask == null ? pad : mask.add(pad);
        }
        Tensor o = Attention.attend(Attention.splitHeads(qp, heads), Attention.splitHeads(kp, heads), Attention.splitHeads(vp, heads), mask, dropout, isTraining(), rng);
        Tensor out = outProj.forward(Attention.mergeHeads(o));
        return batchFirst ? out : out.transpose(0, 1);
    }

    private Tensor project(Tensor x, Tensor w, Tensor b, int part) {
        return Functional.linear(x, w.narrow(0, part * embedDim, embedDim), b == null ? null : b.narrow(0, part * embedDim, embedDim));
    }
}

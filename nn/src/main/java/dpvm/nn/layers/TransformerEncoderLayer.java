package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * torch.nn.TransformerEncoderLayer with its key names ({@code self_attn.*, linear1, linear2, norm1, norm2}).
 * Post-norm: x = norm1(x + sa(x)), x = norm2(x + ff(x)); pre-norm (norm_first): x = x + sa(norm1(x)),
 * x = x + ff(norm2(x)).
 */
public class TransformerEncoderLayer extends Module {
    private final MultiheadAttention selfAttn;
    private final Linear linear1, linear2;
    private final Dropout dropout, dropout1, dropout2;
    private final LayerNorm norm1, norm2;
    private final Activation activation;
    private final boolean normFirst;

    public TransformerEncoderLayer(int dModel, int heads, int dimFeedforward, double p, Activation.Kind act, double eps,
                                   boolean batchFirst, boolean normFirst, Rng rng) {
        this.normFirst = normFirst;
        selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, heads, p, true, batchFirst, rng));
        linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, true, rng));
        dropout = registerModule("dropout", new Dropout(p, rng));
        linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, true, rng));
        norm1 = registerModule("norm1", new LayerNorm(dModel, eps));
        norm2 = registerModule("norm2", new LayerNorm(dModel, eps));
        dropout1 = registerModule("dropout1", new Dropout(p, rng));
        dropout2 = registerModule("dropout2", new Dropout(p, rng));
        activation = new Activation(act);
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null);
    }

    public Tensor forward(Tensor x, Tensor mask, Tensor keyPaddingMask) {
        if (normFirst) {
            x = x.add(sa(norm1.forward(x), mask, keyPaddingMask));
            return x.add(ff(norm2.forward(x)));
        }
        x = norm1.forward(x.add(sa(x, mask, keyPaddingMask)));
        return norm2.forward(x.add(ff(x)));
    }

    private Tensor sa(Tensor x, Tensor mask, Tensor pad) {
        return dropout1.forward(selfAttn.forward(x, x, x, mask, pad));
    }

    private Tensor ff(Tensor x) {
        return dropout2.forward(linear2.forward(dropout.forward(activation.forward(linear1.forward(x)))));
    }
}

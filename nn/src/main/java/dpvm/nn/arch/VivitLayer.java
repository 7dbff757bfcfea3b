package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.layers.Activation;
import dpvm.nn.layers.DenseDropout;
import dpvm.nn.layers.HfAttention;
import dpvm.nn.layers.LayerNorm;
import dpvm.nn.layers.Linear;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * One pre-LN ViViT layer in HuggingFace's layout: h += attention(layernorm_before(h)); h += output.dense(
 * act(intermediate.dense(layernorm_after(h)))). Child order matches VivitLayer's, so the keys list the same.
 */
public final class VivitLayer extends Module {
    private final Activation act;

    public VivitLayer(VivitConfig c, Rng rng) {
        registerModule("attention", new HfAttention(c.hidden(), c.heads(), c.qkvBias(), c.dropout(), c.dropout(), rng));
        registerModule("intermediate", new Intermediate(c.hidden(), c.intermediate(), rng));
        registerModule("output", new DenseDropout(c.intermediate(), c.hidden(), c.dropout(), rng));
        registerModule("layernorm_before", new LayerNorm(c.hidden(), c.layerNormEps()));
        registerModule("layernorm_after", new LayerNorm(c.hidden(), c.layerNormEps()));
        act = new Activation(c.act());
    }

    /** HuggingFace's *Intermediate: a {@code dense} layer whose activation the layer applies. */
    static final class Intermediate extends Module {
        Intermediate(int in, int out, Rng rng) {
            registerModule("dense", new Linear(in, out, true, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("dense").forward(x);
        }
    }

    @Override
    public Tensor forward(Tensor h) {
        h = h.add(child("attention").forward(child("layernorm_before").forward(h)));
        Tensor mid = act.forward(child("intermediate").forward(child("layernorm_after").forward(h)));
        return h.add(child("output").forward(mid));
    }
}

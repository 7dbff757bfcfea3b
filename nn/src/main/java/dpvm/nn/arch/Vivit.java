package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.layers.LayerNorm;
import dpvm.nn.layers.Linear;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * ViViT Model 1 (spatio-temporal attention over all tubelet tokens) in HuggingFace's VivitModel layout:
 * {@code embeddings.*}, {@code encoder.layer.i.*}, {@code layernorm.*}, optional {@code pooler.dense.*}. The
 * Kinetics checkpoint has no pooler, so the video feature is {@link #cls}: the final-LN CLS token.
 */
public final class Vivit extends Module {
    public final VivitConfig config;

    public Vivit(VivitConfig c, Rng rng) {
        this.config = c;
        registerModule("embeddings", new VivitEmbeddings(c, c.patches() + 1, rng));
        registerModule("encoder", new VivitEncoder(c, c.layers(), rng));
        registerModule("layernorm", new LayerNorm(c.hidden(), c.layerNormEps()));
        if (c.pooler()) registerModule("pooler", new Pooler(c.hidden(), rng));
    }

    /** HuggingFace's pooler: tanh(dense(token 0)). */
    static final class Pooler extends Module {
        Pooler(int hidden, Rng rng) {
            registerModule("dense", new Linear(hidden, hidden, true, rng));
        }

        @Override
        public Tensor forward(Tensor hidden) {
            return child("dense").forward(hidden.select(1, 0)).tanh();
        }
    }

    /** last_hidden_state [B, N + 1, hidden] from pixel_values [B, T, C, H, W]. */
    @Override
    public Tensor forward(Tensor pixels) {
        Tensor h = child("embeddings").forward(pixels);
        return child("layernorm").forward(child("encoder").forward(h));
    }

    /** last_hidden_state[:, 0]. */
    public Tensor cls(Tensor pixels) {
        return forward(pixels).select(1, 0);
    }

    public Tensor pooled(Tensor pixels) {
        return child("pooler").forward(forward(pixels));
    }
}

package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.layers.LayerNorm;
import dpvm.tensor.Ops;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * ViViT Model 2 (factorised encoder, scenic's SpaceTimeViViT): a spatial encoder with its own CLS and positions
 * over the n_h*n_w tokens of each time index (shared weights across time), its CLS outputs [B, n_t, H] then a
 * temporal encoder with another CLS and positions over n_t + 1 tokens, final LN, CLS out. HuggingFace has no
 * such model, so the keys are this class's own, in HuggingFace style: {@code embeddings.*} (spatial CLS and
 * positions, tubelet projection), {@code spatial_encoder.layer.i.*}, {@code spatial_layernorm},
 * {@code temporal_embeddings.{cls_token,position_embeddings}}, {@code temporal_encoder.layer.i.*},
 * {@code temporal_layernorm}. A scenic checkpoint needs a converter to these names.
 */
public final class VivitFactorised extends Module {
    public final VivitConfig config;

    public VivitFactorised(VivitConfig c, Rng rng) {
        this.config = c;
        registerModule("embeddings", new VivitEmbeddings(c, c.tokensH() * c.tokensW() + 1, rng));
        registerModule("spatial_encoder", new VivitEncoder(c, c.layers(), rng));
        registerModule("spatial_layernorm", new LayerNorm(c.hidden(), c.layerNormEps()));
        registerModule("temporal_embeddings", new TemporalEmbeddings(c.hidden(), c.tokensT() + 1));
        registerModule("temporal_encoder", new VivitEncoder(c, c.temporalLayers(), rng));
        registerModule("temporal_layernorm", new LayerNorm(c.hidden(), c.layerNormEps()));
    }

    static final class TemporalEmbeddings extends Module {
        TemporalEmbeddings(int hidden, int positions) {
            registerParameter("cls_token", dpvm.nn.layers.Inits.init(new int[] {1, 1, hidden}, () -> Tensor.zeros(1, 1, hidden)));
            registerParameter("position_embeddings", dpvm.nn.layers.Inits.init(new int[] {1, positions, hidden}, () -> Tensor.zeros(1, positions, hidden)));
        }

        @Override
        public Tensor forward(Tensor frames) {
            int b = frames.size(0), h = frames.size(2);
            return Ops.cat(new Tensor[] {param("cls_token").expand(b, 1, h), frames}, 1).add(param("position_embeddings"));
        }
    }

    /** The temporal CLS [B, hidden] from pixel_values [B, T, C, H, W]. */
    @Override
    public Tensor forward(Tensor pixels) {
        VivitEmbeddings emb = (VivitEmbeddings) child("embeddings");
        Tensor grid = emb.grid(pixels);
        int b = grid.size(0), hid = grid.size(1), nt = grid.size(2);
        // [B, H, nt, nh, nw] -> [B * nt, nh * nw, H]: every time index becomes its own spatial sequence
        Tensor frames = grid.permute(0, 2, 3, 4, 1).reshape(b * nt, -1, hid);
        Tensor s = child("spatial_layernorm").forward(child("spatial_encoder").forward(emb.withClsAndPositions(frames)));
        Tensor perFrame = s.select(1, 0).reshape(b, nt, hid);
        Tensor t = child("temporal_encoder").forward(child("temporal_embeddings").forward(perFrame));
        return child("temporal_layernorm").forward(t).select(1, 0);
    }
}

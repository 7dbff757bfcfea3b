package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.layers.Conv3d;
import dpvm.nn.layers.Inits;
import dpvm.tensor.Ops;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * HuggingFace's VivitEmbeddings: {@code cls_token [1, 1, H]}, {@code position_embeddings [1, N + 1, H]} and the
 * tubelet projection {@code patch_embeddings.projection} (Conv3d, kernel = stride = tubelet, with bias). Pixels
 * arrive as [B, T, C, H, W]; tokens are ordered t, then h, then w.
 */
public final class VivitEmbeddings extends Module {
    public VivitEmbeddings(VivitConfig c, int positions, Rng rng) {
        int h = c.hidden();
        registerParameter("cls_token", Inits.init(new int[] {1, 1, h}, () -> Tensor.zeros(1, 1, h)));
        registerParameter("position_embeddings", Inits.init(new int[] {1, positions, h}, () -> Tensor.zeros(1, positions, h)));
        registerModule("patch_embeddings", new Tubelets(c, rng));
    }

    /** HuggingFace's VivitTubeletEmbeddings: one {@code projection} conv. */
    static final class Tubelets extends Module {
        Tubelets(VivitConfig c, Rng rng) {
            registerModule("projection", new Conv3d(c.channels(), c.hidden(), c.tubelet(), c.tubelet(), new int[] {0, 0, 0}, true, rng));
        }

        /** [B, T, C, H, W] to the projected grid [B, hidden, nt, nh, nw]. */
        @Override
        public Tensor forward(Tensor pixels) {
            return child("projection").forward(pixels.permute(0, 2, 1, 3, 4));
        }
    }

    /** The projected grid without CLS or positions. */
    public Tensor grid(Tensor pixels) {
        return child("patch_embeddings").forward(pixels);
    }

    /** Tokens [B, n, H] with the CLS prepended and positions added. */
    public Tensor withClsAndPositions(Tensor tokens) {
        int b = tokens.size(0), h = tokens.size(2);
        Tensor cls = param("cls_token").expand(b, 1, h);
        return Ops.cat(new Tensor[] {cls, tokens}, 1).add(param("position_embeddings"));
    }

    @Override
    public Tensor forward(Tensor pixels) {
        return withClsAndPositions(grid(pixels).flatten(2, -1).transpose(1, 2));
    }
}

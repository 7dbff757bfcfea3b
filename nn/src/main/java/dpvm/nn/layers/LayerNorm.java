package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/** torch.nn.LayerNorm over the trailing {@code normalizedShape} dims; {@code weight} ones, {@code bias} zeros. */
public class LayerNorm extends Module {
    private final int dims;
    public final double eps;

    public LayerNorm(int[] normalizedShape, double eps, boolean affine) {
        this.dims = normalizedShape.length;
        this.eps = eps;
        if (affine) {
            registerParameter("weight", Tensor.ones(normalizedShape));
            registerParameter("bias", Tensor.zeros(normalizedShape));
        }
    }

    public LayerNorm(int features, double eps) {
        this(new int[] {features}, eps, true);
    }

    public LayerNorm(int features) {
        this(features, 1e-5);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.layerNorm(x, dims, hasParam("weight") ? param("weight") : null, hasParam("bias") ? param("bias") : null, eps);
    }
}

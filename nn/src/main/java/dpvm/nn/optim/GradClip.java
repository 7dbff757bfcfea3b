package dpvm.nn.optim;

import dpvm.tensor.Autograd;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

import java.util.List;

/** torch.nn.utils.clip_grad_norm_: one global norm over all gradients, every gradient scaled by the same factor. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales gradients by min(1, maxNorm / (total + 1e-6)) and returns the total norm before clipping, as a
     * one-element tensor on the gradients' device: everything, the factor included, is computed there, so on a
     * GPU nothing waits for it. The total is the normType-norm of the per-parameter norms (the largest absolute
     * value for infinity), as PyTorch computes it; parameters without gradients are skipped (the total of none is 0).
     */
    public static Tensor clipGradNormTensor(List<Tensor> params, double maxNorm, double normType) {
        return Autograd.noGrad(() -> {
            boolean inf = Double.isInfinite(normType);
            Tensor total = null;
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                Tensor n = inf ? g.abs().max() : g.abs().pow(normType).sum().pow(1 / normType);
                if (total != null) n = n.to(total.device());
                total = total == null ? (inf ? n : n.pow(normType)) : inf ? total.maximum(n) : total.add(n.pow(normType));
            }
            if (total == null) return Tensor.scalar(0.0, params.isEmpty() ? dpvm.tensor.DType.FLOAT32 : params.get(0).dtype(),
                    params.isEmpty() ? dpvm.tensor.Device.CPU : params.get(0).device());
            if (!inf) total = total.pow(1 / normType);
            Tensor coef = total.like(maxNorm).div(total.add(1e-6)).minimum(total.like(1));
            // in place: the gradients belong to no Scope, and a replacement made here would belong to the caller's
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) Functional.assign(g, g.mul(coef.to(g.device())));
            }
            return total;
        });
    }

    /** As {@link #clipGradNormTensor}, returning the total norm as a number (on a GPU: one wait, at the end). */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        return clipGradNormTensor(params, maxNorm, normType).item();
    }

    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }
}

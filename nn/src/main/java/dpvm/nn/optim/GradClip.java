package dpvm.nn.optim;

import dpvm.tensor.Autograd;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

import java.util.List;

/** torch.nn.utils.clip_grad_norm_: one global norm over all gradients, every gradient scaled by the same factor. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales gradients by min(1, maxNorm / (total + 1e-6)) and returns the total norm before clipping. The total
     * is the normType-norm of the per-parameter norms (max of absolute values for infinity); parameters without
     * gradients are skipped.
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        return Autograd.noGrad(() -> {
            double total = 0;
            boolean inf = Double.isInfinite(normType);
            for (Tensor p : params) {
                if (p.grad() == null) continue;
                Tensor g = p.grad();
                double n = inf ? g.abs().max().item() : g.abs().pow(normType).sum().pow(1 / normType).item();
                total = inf ? Math.max(total, n) : total + Math.pow(n, normType);
            }
            if (!inf) total = Math.pow(total, 1 / normType);
            double coef = Math.min(maxNorm / (total + 1e-6), 1.0);
            // in place: the gradients belong to no Scope, and a replacement made here would belong to the caller's
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) Functional.assign(g, g.mul(coef));
            }
            return total;
        });
    }

    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }
}

package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Autograd;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/**
 * Batch normalisation over channel dim 1 with torch.nn.BatchNormNd's state: {@code weight, bias} (when affine),
 * {@code running_mean, running_var, num_batches_tracked} (when tracking). Training normalises with batch
 * statistics and updates the running ones; eval uses the running ones. A null momentum gives PyTorch's
 * cumulative average (momentum 1/num_batches_tracked).
 */
public class BatchNorm extends Module {
    public final int numFeatures;
    public final double eps;
    private final Double momentum;
    private final int spatialDims;

    public BatchNorm(int spatialDims, int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this.spatialDims = spatialDims;
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        if (affine) {
            registerParameter("weight", Tensor.ones(numFeatures));
            registerParameter("bias", Tensor.zeros(numFeatures));
        }
        if (trackRunningStats) {
            registerBuffer("running_mean", Tensor.zeros(numFeatures));
            registerBuffer("running_var", Tensor.ones(numFeatures));
            registerBuffer("num_batches_tracked", Tensor.scalar(0, DType.INT64, Device.CPU));
        }
    }

    /** BatchNorm1d over [N, C] or [N, C, L]. */
    public static BatchNorm of1d(int c) { return new BatchNorm(1, c, 1e-5, 0.1, true, true); }
    public static BatchNorm of2d(int c) { return new BatchNorm(2, c, 1e-5, 0.1, true, true); }
    public static BatchNorm of3d(int c) { return new BatchNorm(3, c, 1e-5, 0.1, true, true); }

    private boolean tracks() {
        return namedBuffers().containsKey("running_mean");
    }

    @Override
    public Tensor forward(Tensor x) {
        int r = x.rank();
        boolean ok = spatialDims == 1 ? (r == 2 || r == 3) : r == spatialDims + 2;
        if (!ok) throw new IllegalArgumentException("BatchNorm" + spatialDims + "d: unexpected input rank " + r);
        Tensor w = hasParam("weight") ? param("weight") : null, b = hasParam("bias") ? param("bias") : null;
        boolean useBatchStats = isTraining() || !tracks();
        Tensor mean = tracks() ? buffer("running_mean") : null, var = tracks() ? buffer("running_var") : null;
        double m = momentum == null ? 0 : momentum;
        if (isTraining() && tracks()) {
            Tensor count = buffer("num_batches_tracked");
            // in place, so a training step's Scope never closes module state; counted on the device, because
            // reading it back each step would stall an accelerator
            Autograd.noGrad(() -> {
                Functional.assign(count, count.add(count.like(1)));
                return null;
            });
            // the cumulative average needs the count on the host: one wait per step (the default momentum needs none)
            if (momentum == null) m = 1.0 / count.toLongArray()[0];
        }
        final double mm = m;
        final Tensor rm = isTraining() ? mean : null, rv = isTraining() ? var : null;
        if (useBatchStats) return Functional.batchNorm(x, rm, rv, w, b, true, mm, eps);
        return Functional.batchNorm(x, mean, var, w, b, false, mm, eps);
    }

}

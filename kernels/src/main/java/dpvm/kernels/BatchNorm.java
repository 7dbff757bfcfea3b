package dpvm.kernels;

import dpvm.kernels.runtime.Geometry;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

/**
 * Training-mode batch norm and its backward (batchnorm.cu) on a dense x viewed as [outer, C, inner]: two passes
 * over x forward (per-channel statistics, then the normalisation) and two backward (the sums of g and g xhat,
 * then dx), each channel's items cut among blocks by {@link Reductions#splitPlan}: the {@code split} variant of
 * {@link KernelVariants#BATCH_NORM} and {@link KernelVariants#BATCH_NORM_BACKWARD}, the automatic choice until
 * GPU timings show the {@code cudnn} one ({@link CudnnBatchNorm}) faster.
 */
final class BatchNorm {
    private BatchNorm() {}

    /** {y, mean, rstd, var}; see {@link dpvm.tensor.Backend#batchNorm}. */
    static Tensor[] forward(Ctx c, Tensor x, Tensor weight, Tensor bias, double eps) {
        int[] v = Shape.channels(x.shape());
        int outer = v[0], channels = v[1], inner = v[2], n = x.numel();
        Tensor cx = c.dense(x), cw = weight == null ? null : c.dense(weight), cb = bias == null ? null : c.dense(bias);
        if (KernelVariants.BATCH_NORM.pick("split", variant -> variant.equals("cudnn") ? CudnnBatchNorm.whyNot(eps) : null).equals("cudnn")) {
            return CudnnBatchNorm.forward(c, cx, cw, cb, eps);
        }
        String s = Ctx.sfx(x.dtype());
        Tensor y = c.empty(x.shape(), x.dtype());
        Tensor mean = c.empty(new int[] {channels}, x.dtype()), rstd = c.empty(new int[] {channels}, x.dtype()), var = c.empty(new int[] {channels}, x.dtype());
        int[] plan = Reductions.splitPlan(channels, outer * inner, Reductions.SPLIT_MIN_ITEMS, c.dev.multiprocessors());
        long[] div = Geometry.divisor(inner), divC = Geometry.divisor(channels);
        try (Tensor partial = c.empty(new int[] {channels, plan[0], 2}, DType.FLOAT64)) {
            c.launchBlocks("batchnorm.cu", "bn_stats_" + s, Ctx.cappedBlocks((long) channels * plan[0]), Ctx.THREADS,
                    Ctx.ptr(cx), Ctx.ptr(partial), outer, channels, inner, (int) div[0], (int) div[1], plan[0], plan[1]);
            c.launch("batchnorm.cu", "bn_stats_finish_" + s, channels, Ctx.ptr(partial), Ctx.ptr(cx), Ctx.ptr(mean), Ctx.ptr(rstd), Ctx.ptr(var),
                    channels, inner, plan[0], (double) outer * inner, eps);
        }
        c.launch("batchnorm.cu", "bn_apply_" + s, n, Ctx.ptr(cx), Ctx.ptr(y), Ctx.ptr(mean), Ctx.ptr(rstd), Ctx.ptrOrNull(cw), Ctx.ptrOrNull(cb),
                n, channels, (int) div[0], (int) div[1], (int) divC[0], (int) divC[1]);
        return new Tensor[] {y, mean, rstd, var};
    }

    /** {dx, dweight, dbias}; see {@link dpvm.tensor.Backend#batchNormBackward}. */
    static Tensor[] backward(Ctx c, Tensor gy, Tensor x, Tensor mean, Tensor rstd, Tensor weight, boolean weightGrad, boolean biasGrad) {
        int[] v = Shape.channels(x.shape());
        int outer = v[0], channels = v[1], inner = v[2], n = x.numel();
        Tensor cg = c.dense(gy), cx = c.dense(x), cm = c.dense(mean), cr = c.dense(rstd), cw = weight == null ? null : c.dense(weight);
        if (KernelVariants.BATCH_NORM_BACKWARD.pick("split", variant -> null).equals("cudnn")) {
            return CudnnBatchNorm.backward(c, cg, cx, cm, cr, cw, weightGrad, biasGrad);
        }
        String s = Ctx.sfx(x.dtype());
        Tensor dx = c.empty(x.shape(), x.dtype());
        Tensor dw = weightGrad ? c.empty(new int[] {channels}, x.dtype()) : null, db = biasGrad ? c.empty(new int[] {channels}, x.dtype()) : null;
        int[] plan = Reductions.splitPlan(channels, outer * inner, Reductions.SPLIT_MIN_ITEMS, c.dev.multiprocessors());
        long[] div = Geometry.divisor(inner), divC = Geometry.divisor(channels);
        try (Tensor partial = c.empty(new int[] {channels, plan[0], 2}, DType.FLOAT64);
             Tensor sums = c.empty(new int[] {channels, 2}, DType.FLOAT64)) {
            c.launchBlocks("batchnorm.cu", "bn_grad_sums_" + s, Ctx.cappedBlocks((long) channels * plan[0]), Ctx.THREADS,
                    Ctx.ptr(cg), Ctx.ptr(cx), Ctx.ptr(cm), Ctx.ptr(cr), Ctx.ptr(partial), outer, channels, inner, (int) div[0], (int) div[1], plan[0], plan[1]);
            c.launch("batchnorm.cu", "bn_grad_finish_" + s, channels, Ctx.ptr(partial), Ctx.ptr(sums), Ctx.ptrOrNull(dw), Ctx.ptrOrNull(db), channels, plan[0]);
            c.launch("batchnorm.cu", "bn_grad_input_" + s, n, Ctx.ptr(cg), Ctx.ptr(cx), Ctx.ptr(cm), Ctx.ptr(cr), Ctx.ptrOrNull(cw), Ctx.ptr(sums), Ctx.ptr(dx),
                    n, (double) outer * inner, channels, (int) div[0], (int) div[1], (int) divC[0], (int) divC[1]);
        }
        return new Tensor[] {dx, dw, db};
    }

}

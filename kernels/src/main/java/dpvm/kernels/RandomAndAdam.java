package dpvm.kernels;

import dpvm.kernels.runtime.Geometry;
import dpvm.tensor.Backend.AdamStep;
import dpvm.tensor.Backend.Distribution;
import dpvm.tensor.Shape;
import dpvm.tensor.ShapeException;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/**
 * Philox fills (bit-identical to dpvm.tensor.Philox), the fused Adam step and fused dropout (both bit-identical
 * to the CPU's).
 */
final class RandomAndAdam {
    private RandomAndAdam() {}

    static void fillRandom(Ctx c, Tensor out, Distribution d, long seed, long offset) {
        if (!out.isContiguous()) throw new ShapeException("fill_random: output must be contiguous, got strides " + Arrays.toString(out.strides()));
        if (!out.dtype().isFloating()) throw new ShapeException("fill_random: output must be float32 or float64, got " + out.dtype());
        int n = out.numel();
        long blocks = d == Distribution.UNIFORM ? (n + 3L) / 4 : (n + 1L) / 2;
        String k = (d == Distribution.UNIFORM ? "uniform_" : "normal_") + Ctx.sfx(out.dtype());
        c.launch("random.cu", k, blocks, Ctx.ptr(out), n, seed, offset);
    }

    static void adamStep(Ctx c, Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep h) {
        for (Tensor t : new Tensor[] {param, grad, m, v}) {
            if (!t.isContiguous()) throw new ShapeException("adam_step: tensors must be contiguous, got shape " + Shape.str(t.shape()) + " strides " + Arrays.toString(t.strides()));
            if (!Shape.same(t.shape(), param.shape())) throw new ShapeException("adam_step: shapes differ: param " + Shape.str(param.shape()) + " and " + Shape.str(t.shape()));
            if (t.dtype() != param.dtype()) throw new ShapeException("adam_step: dtypes differ: param " + param.dtype() + " and " + t.dtype());
        }
        if (!param.dtype().isFloating()) throw new ShapeException("adam_step: needs float tensors, got " + param.dtype());
        // the same host-side double expressions as CpuBackend.adamStep, so the kernel sees identical constants
        double bc1 = 1 - Math.pow(h.beta1(), h.step()), bc2 = 1 - Math.pow(h.beta2(), h.step());
        double stepSize = h.lr() / bc1, bc2Sqrt = Math.sqrt(bc2);
        int mode = h.weightDecay() == 0 ? 0 : h.decoupled() ? 2 : 1;
        double decay = 1 - h.lr() * h.weightDecay();
        int n = param.numel();
        c.launch("random.cu", "adam_" + Ctx.sfx(param.dtype()), n, Ctx.ptr(param), Ctx.ptr(grad), Ctx.ptr(m), Ctx.ptr(v), n,
                stepSize, bc2Sqrt, h.beta1(), 1 - h.beta1(), h.beta2(), 1 - h.beta2(), h.eps(), h.weightDecay(), decay, mode);
    }

    /** Dropout with the Philox mask drawn inside the kernel; the same constants as CpuDropout, so float32 matches bit for bit. */
    static Tensor dropout(Ctx c, Tensor x, double p, long seed, long offset) {
        if (!x.dtype().isFloating()) throw new ShapeException("dropout: needs float32 or float64, got " + x.dtype());
        Tensor out = c.empty(x.shape(), x.dtype());
        int n = out.numel();
        int[] g = Geometry.pack(x.shape(), new int[][] {x.strides()});
        double keepBelow = 1 - p, scale = p == 1 ? 0 : 1 / (1 - p);
        c.launch("random.cu", "dropout_" + Ctx.sfx(x.dtype()), (n + 3L) / 4, g, Ctx.ptr(x), Ctx.ptr(out), n, seed, offset, keepBelow, scale);
        return out;
    }
}

package dpvm.tensor.cpu;

import dpvm.tensor.Backend.Reduce;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

/**
 * Reductions. The input is permuted so the reduced dims come last and made contiguous; each output then reduces
 * one contiguous run. Runs are summed in fixed blocks whose partial sums are combined in order, so the result is
 * the same for every thread count, and long runs still use every core.
 */
final class CpuReduce {
    private static final int BLOCK = 4096;

    private CpuReduce() {}

    /** x permuted so that {@code last} dims come after the others, as a contiguous tensor. */
    static Tensor moveLast(CpuBackend backend, Tensor x, int[] last) {
        Tensor p = x.permute(Shape.moveLast(x.rank(), last));
        return p.isContiguous() ? p : backend.copy(p, x.dtype());
    }

    static Tensor reduce(CpuBackend backend, Reduce op, Tensor x, int[] dims, boolean keepdim) {
        Tensor c = moveLast(backend, x, dims);
        int run = 1;
        for (int d : dims) run *= x.shape()[d];
        int outer = outShapeNumel(x.shape(), dims);
        int[] outShape = Shape.reduced(x.shape(), dims, keepdim);
        Tensor out = backend.fill(outShape, x.dtype(), 0);
        CpuStorage in = (CpuStorage) c.storage(), o = (CpuStorage) out.storage();
        int base = c.offset();
        int blocks = Math.max(1, (run + BLOCK - 1) / BLOCK);
        double[] partial = new double[outer * blocks];
        final int runF = run;
        Parallel.forRange(outer * blocks, Math.max(1, 64 / blocks), (from, to) -> {
            for (int t = from; t < to; t++) {
                int row = t / blocks, blk = t % blocks;
                int start = base + row * runF + blk * BLOCK, end = start + Math.min(BLOCK, runF - blk * BLOCK);
                partial[t] = reduceRun(op, in, start, end);
            }
        });
        for (int row = 0; row < outer; row++) {
            double acc = partial[row * blocks];
            for (int b = 1; b < blocks; b++) acc = combine(op, acc, partial[row * blocks + b]);
            o.set(row, acc);
        }
        return out;
    }

    private static int outShapeNumel(int[] shape, int[] dims) {
        int n = 1;
        boolean[] red = new boolean[shape.length];
        for (int d : dims) red[d] = true;
        for (int i = 0; i < shape.length; i++) if (!red[i]) n *= shape[i];
        return n;
    }

    private static double combine(Reduce op, double a, double b) {
        return switch (op) {
            case SUM -> a + b;
            case MAX -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MIN -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
        };
    }

    private static double reduceRun(Reduce op, CpuStorage in, int start, int end) {
        if (start >= end) return op == Reduce.SUM ? 0 : Double.NaN;
        if (op == Reduce.SUM) {
            double s = 0;
            switch (in.dtype()) {
                case FLOAT32 -> {
                    float[] f = in.f;
                    for (int i = start; i < end; i++) s += f[i];
                }
                case FLOAT64 -> {
                    double[] d = in.d;
                    for (int i = start; i < end; i++) s += d[i];
                }
                default -> {
                    for (int i = start; i < end; i++) s += in.get(i);
                }
            }
            return s;
        }
        double acc = in.get(start);
        for (int i = start + 1; i < end; i++) acc = combine(op, acc, in.get(i));
        return acc;
    }

    /** Index of the first maximum (or minimum) along dim; NaN counts as the extreme, as in PyTorch. */
    static Tensor argReduce(CpuBackend backend, boolean max, Tensor x, int dim, boolean keepdim) {
        if (x.rank() == 0) return backend.fill(new int[0], DType.INT64, 0);
        Tensor c = moveLast(backend, x, new int[] {dim});
        int run = x.shape()[dim], outer = x.numel() / run;
        Tensor out = backend.fill(Shape.reduced(x.shape(), new int[] {dim}, keepdim), DType.INT64, 0);
        CpuStorage in = (CpuStorage) c.storage(), o = (CpuStorage) out.storage();
        int base = c.offset();
        Parallel.forRange(outer, 64, (from, to) -> {
            for (int row = from; row < to; row++) {
                int start = base + row * run, best = 0;
                double bv = in.get(start);
                for (int j = 1; j < run && !Double.isNaN(bv); j++) {
                    double v = in.get(start + j);
                    if (Double.isNaN(v) || (max ? v > bv : v < bv)) {
                        bv = v;
                        best = j;
                    }
                }
                o.l[row] = best;
            }
        });
        return out;
    }
}

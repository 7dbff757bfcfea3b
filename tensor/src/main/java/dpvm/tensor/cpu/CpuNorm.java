package dpvm.tensor.cpu;

import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/**
 * Layer norm over rows [outer, inner] (the input made dense first if it is not) and its backward. One pass over
 * a row gathers its statistics: sums of (x - x0) and (x - x0)^2 in double, shifted by the row's first value so
 * that a mean far from zero cannot cancel the variance away ((mean - x0)^2 is at most inner times the variance).
 * Float32 rows are then normalised in float, double rows in double; the float32 row kernels run on the Vector
 * API when it is present ({@link VectorNorm}, same bits). Rows run in parallel; each row, and each fixed block of
 * rows of the weight and bias gradients, is computed by one task in one order, so the results do not depend on
 * the thread count.
 */
final class CpuNorm {
    /** Most row blocks the weight and bias gradients are split into (a function of the shape only). */
    private static final int GRAD_BLOCKS = 64;

    /**
     * The float32 forward's row kernels: statistics into st = {mean, biased variance}, then y = (x - mean) * rstd
     * * w + b (w, b null when absent). The Vector API version gives the same bits as the scalar one.
     */
    interface FloatRows {
        void stats(float[] x, int off, int n, double[] st);

        void normalise(float[] x, int xo, float[] y, int yo, int n, float mean, float rstd, float[] w, int wo, float[] b, int bo);
    }

    static final FloatRows SCALAR = new FloatRows() {
        @Override
        public void stats(float[] x, int off, int n, double[] st) {
            statsF(x, off, n, st);
        }

        @Override
        public void normalise(float[] x, int xo, float[] y, int yo, int n, float mean, float rstd, float[] w, int wo, float[] b, int bo) {
            normaliseF(x, xo, y, yo, n, mean, rstd, w, wo, b, bo);
        }
    };

    private static final FloatRows FLOAT = select();

    private CpuNorm() {}

    /** Loaded by name, as Gemm does, so a JVM without jdk.incubator.vector lands on the scalar kernels. */
    private static FloatRows select() {
        try {
            return (FloatRows) Class.forName("dpvm.tensor.cpu.VectorNorm").getDeclaredConstructor().newInstance();
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            return SCALAR;
        }
    }

    static int inner(int[] shape, int normalizedDims) {
        int n = 1;
        for (int i = shape.length - normalizedDims; i < shape.length; i++) n *= shape[i];
        return n;
    }

    static int outer(int[] shape, int normalizedDims) {
        int n = 1;
        for (int i = 0; i < shape.length - normalizedDims; i++) n *= shape[i];
        return n;
    }

    /** t itself when dense (or null), else a contiguous copy; also used by {@link CpuBatchNorm}. */
    static Tensor dense(CpuBackend backend, Tensor t) {
        return t == null || t.isContiguous() ? t : backend.copy(t, t.dtype());
    }

    static CpuStorage cs(Tensor t) {
        return t == null ? null : (CpuStorage) t.storage();
    }

    private static int off(Tensor t) {
        return t == null ? 0 : t.offset();
    }

    static Tensor[] forward(CpuBackend backend, Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
        int inner = inner(x.shape(), normalizedDims), outer = outer(x.shape(), normalizedDims);
        Tensor cx = dense(backend, x), cw = dense(backend, weight), cb = dense(backend, bias);
        Tensor y = Tensor.empty(x.shape(), x.dtype(), Device.CPU);
        Tensor mean = Tensor.empty(new int[] {outer}, x.dtype(), Device.CPU), rstd = Tensor.empty(new int[] {outer}, x.dtype(), Device.CPU);
        CpuStorage xs = cs(cx), ys = cs(y), ms = cs(mean), rs = cs(rstd), ws = cs(cw), bs = cs(cb);
        int xo = cx.offset(), wo = off(cw), bo = off(cb);
        boolean f32 = x.dtype() == DType.FLOAT32;
        Parallel.forRange(outer, Math.max(1, 8192 / Math.max(1, inner)), (from, to) -> {
            double[] st = new double[2];
            for (int r = from; r < to; r++) {
                int at = r * inner;
                if (f32) {
                    FLOAT.stats(xs.f, xo + at, inner, st);
                    ms.f[r] = (float) st[0];
                    rs.f[r] = (float) (1 / Math.sqrt(st[1] + eps));
                    FLOAT.normalise(xs.f, xo + at, ys.f, at, inner, ms.f[r], rs.f[r], ws == null ? null : ws.f, wo, bs == null ? null : bs.f, bo);
                } else {
                    statsD(xs.d, xo + at, inner, st);
                    ms.d[r] = st[0];
                    rs.d[r] = 1 / Math.sqrt(st[1] + eps);
                    normaliseD(xs.d, xo + at, ys.d, at, inner, ms.d[r], rs.d[r], ws == null ? null : ws.d, wo, bs == null ? null : bs.d, bo);
                }
            }
        });
        return new Tensor[] {y, mean, rstd};
    }

    /**
     * Mean and biased variance of x[off, off + n) into st[0], st[1]. Element j goes to sum j % 8 of eight
     * interleaved double sums of each kind (the elements after the last full group of eight to sum 0), which keeps
     * the floating-point pipes busy; the squares go through fused multiply-adds; {@link #tree} adds the eight.
     */
    static void statsF(float[] x, int off, int n, double[] st) {
        double k = n > 0 ? x[off] : 0;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        double q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0, q6 = 0, q7 = 0;
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            double d0 = x[off + j] - k, d1 = x[off + j + 1] - k, d2 = x[off + j + 2] - k, d3 = x[off + j + 3] - k;
            double d4 = x[off + j + 4] - k, d5 = x[off + j + 5] - k, d6 = x[off + j + 6] - k, d7 = x[off + j + 7] - k;
            s0 += d0;
            s1 += d1;
            s2 += d2;
            s3 += d3;
            s4 += d4;
            s5 += d5;
            s6 += d6;
            s7 += d7;
            q0 = Math.fma(d0, d0, q0);
            q1 = Math.fma(d1, d1, q1);
            q2 = Math.fma(d2, d2, q2);
            q3 = Math.fma(d3, d3, q3);
            q4 = Math.fma(d4, d4, q4);
            q5 = Math.fma(d5, d5, q5);
            q6 = Math.fma(d6, d6, q6);
            q7 = Math.fma(d7, d7, q7);
        }
        for (; j < n; j++) {
            double d = x[off + j] - k;
            s0 += d;
            q0 = Math.fma(d, d, q0);
        }
        finish(k, tree(s0, s1, s2, s3, s4, s5, s6, s7), tree(q0, q1, q2, q3, q4, q5, q6, q7), n, st);
    }

    /**
     * {@link #statsF} on a float64 row. Kept as the same eight-way sum rather than a plain loop: finite-difference
     * gradient checks divide rounding noise in these sums by their step, and a sequential sum over a long row is
     * noisy enough to fail them.
     */
    private static void statsD(double[] x, int off, int n, double[] st) {
        double k = n > 0 ? x[off] : 0;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        double q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0, q6 = 0, q7 = 0;
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            double d0 = x[off + j] - k, d1 = x[off + j + 1] - k, d2 = x[off + j + 2] - k, d3 = x[off + j + 3] - k;
            double d4 = x[off + j + 4] - k, d5 = x[off + j + 5] - k, d6 = x[off + j + 6] - k, d7 = x[off + j + 7] - k;
            s0 += d0;
            s1 += d1;
            s2 += d2;
            s3 += d3;
            s4 += d4;
            s5 += d5;
            s6 += d6;
            s7 += d7;
            q0 = Math.fma(d0, d0, q0);
            q1 = Math.fma(d1, d1, q1);
            q2 = Math.fma(d2, d2, q2);
            q3 = Math.fma(d3, d3, q3);
            q4 = Math.fma(d4, d4, q4);
            q5 = Math.fma(d5, d5, q5);
            q6 = Math.fma(d6, d6, q6);
            q7 = Math.fma(d7, d7, q7);
        }
        for (; j < n; j++) {
            double d = x[off + j] - k;
            s0 += d;
            q0 = Math.fma(d, d, q0);
        }
        finish(k, tree(s0, s1, s2, s3, s4, s5, s6, s7), tree(q0, q1, q2, q3, q4, q5, q6, q7), n, st);
    }

    /** The eight partial sums added pairwise, in a fixed tree. */
    static double tree(double p0, double p1, double p2, double p3, double p4, double p5, double p6, double p7) {
        return ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7));
    }

    /** From the shifted sums: an empty row gives NaN, as the mean of nothing does; rounding never makes var negative. */
    static void finish(double shift, double sum, double sumSq, int n, double[] st) {
        double m = sum / n;
        st[0] = shift + m;
        st[1] = Math.max(0, sumSq / n - m * m); // NaN stays NaN
    }

    static void normaliseF(float[] x, int xo, float[] y, int yo, int n, float mean, float rstd, float[] w, int wo, float[] b, int bo) {
        if (w != null && b != null) {
            for (int j = 0; j < n; j++) y[yo + j] = (x[xo + j] - mean) * rstd * w[wo + j] + b[bo + j];
        } else if (w != null) {
            for (int j = 0; j < n; j++) y[yo + j] = (x[xo + j] - mean) * rstd * w[wo + j];
        } else if (b != null) {
            for (int j = 0; j < n; j++) y[yo + j] = (x[xo + j] - mean) * rstd + b[bo + j];
        } else {
            for (int j = 0; j < n; j++) y[yo + j] = (x[xo + j] - mean) * rstd;
        }
    }

    private static void normaliseD(double[] x, int xo, double[] y, int yo, int n, double mean, double rstd, double[] w, int wo, double[] b, int bo) {
        if (w != null && b != null) {
            for (int j = 0; j < n; j++) y[yo + j] = (x[xo + j] - mean) * rstd * w[wo + j] + b[bo + j];
        } else if (w != null) {
            for (int j = 0; j < n; j++) y[yo + j] = (x[xo + j] - mean) * rstd * w[wo + j];
        } else if (b != null) {
            for (int j = 0; j < n; j++) y[yo + j] = (x[xo + j] - mean) * rstd + b[bo + j];
        } else {
            for (int j = 0; j < n; j++) y[yo + j] = (x[xo + j] - mean) * rstd;
        }
    }

    /**
     * dx = rstd * (g w - mean_j(g w) - xhat * mean_j(g w xhat)) per row, with xhat = (x - mean) * rstd; dweight =
     * sum over rows of g xhat and dbias = sum of g. The column sums are taken per fixed block of rows in double and
     * the blocks' partial sums added in block order.
     */
    static Tensor[] backward(CpuBackend backend, Tensor gy, Tensor x, Tensor mean, Tensor rstd, Tensor weight, int normalizedDims,
                             boolean weightGrad, boolean biasGrad) {
        int inner = inner(x.shape(), normalizedDims), outer = outer(x.shape(), normalizedDims);
        Tensor cg = dense(backend, gy), cx = dense(backend, x), cm = dense(backend, mean), cr = dense(backend, rstd), cw = dense(backend, weight);
        Tensor dx = Tensor.empty(x.shape(), x.dtype(), Device.CPU);
        int perBlock = Math.max(1, (outer + GRAD_BLOCKS - 1) / GRAD_BLOCKS);
        int blocks = outer == 0 ? 0 : (outer + perBlock - 1) / perBlock;
        double[] pw = weightGrad ? new double[blocks * inner] : null, pb = biasGrad ? new double[blocks * inner] : null;
        CpuStorage gs = cs(cg), xs = cs(cx), ms = cs(cm), rs = cs(cr), ws = cs(cw), ds = cs(dx);
        int go = cg.offset(), xo = cx.offset(), mo = cm.offset(), ro = cr.offset(), wo = off(cw);
        boolean f32 = x.dtype() == DType.FLOAT32;
        Parallel.forRange(blocks, 1, (from, to) -> {
            for (int blk = from; blk < to; blk++) {
                int p = blk * inner;
                for (int r = blk * perBlock; r < Math.min(outer, (blk + 1) * perBlock); r++) {
                    int at = r * inner;
                    if (f32) {
                        backwardRowF(gs.f, go + at, xs.f, xo + at, ds.f, at, inner, ms.f[mo + r], rs.f[ro + r], ws == null ? null : ws.f, wo, pw, pb, p);
                    } else {
                        backwardRowD(gs.d, go + at, xs.d, xo + at, ds.d, at, inner, ms.d[mo + r], rs.d[ro + r], ws == null ? null : ws.d, wo, pw, pb, p);
                    }
                }
            }
        });
        int[] paramShape = Arrays.copyOfRange(x.shape(), x.rank() - normalizedDims, x.rank());
        return new Tensor[] {dx, columnSums(pw, blocks, inner, paramShape, x.dtype()), columnSums(pb, blocks, inner, paramShape, x.dtype())};
    }

    private static void backwardRowF(float[] g, int go, float[] x, int xo, float[] dx, int dxo, int n, double mean, double rstd, float[] w, int wo,
                                     double[] pw, double[] pb, int p) {
        double a = 0, c = 0;
        for (int j = 0; j < n; j++) {
            double gj = g[go + j], xhat = (x[xo + j] - mean) * rstd;
            double gw = w == null ? gj : gj * w[wo + j];
            a += gw;
            c += gw * xhat;
            if (pw != null) pw[p + j] += gj * xhat;
            if (pb != null) pb[p + j] += gj;
        }
        double an = a / n, cn = c / n;
        for (int j = 0; j < n; j++) {
            double gw = w == null ? g[go + j] : (double) g[go + j] * w[wo + j];
            dx[dxo + j] = (float) (rstd * (gw - an - (x[xo + j] - mean) * rstd * cn));
        }
    }

    private static void backwardRowD(double[] g, int go, double[] x, int xo, double[] dx, int dxo, int n, double mean, double rstd, double[] w, int wo,
                                     double[] pw, double[] pb, int p) {
        double a = 0, c = 0;
        for (int j = 0; j < n; j++) {
            double gj = g[go + j], xhat = (x[xo + j] - mean) * rstd;
            double gw = w == null ? gj : gj * w[wo + j];
            a += gw;
            c += gw * xhat;
            if (pw != null) pw[p + j] += gj * xhat;
            if (pb != null) pb[p + j] += gj;
        }
        double an = a / n, cn = c / n;
        for (int j = 0; j < n; j++) {
            double gw = w == null ? g[go + j] : g[go + j] * w[wo + j];
            dx[dxo + j] = rstd * (gw - an - (x[xo + j] - mean) * rstd * cn);
        }
    }

    /** The blocks' partial column sums added in block order, as a tensor of the parameters' shape; null if not asked for. */
    private static Tensor columnSums(double[] partial, int blocks, int inner, int[] shape, DType dtype) {
        if (partial == null) return null;
        Tensor out = Tensor.empty(shape, dtype, Device.CPU);
        CpuStorage o = cs(out);
        Parallel.forRange(inner, 4096, (from, to) -> {
            for (int j = from; j < to; j++) {
                double s = 0;
                for (int b = 0; b < blocks; b++) s += partial[b * inner + j];
                o.set(j, s);
            }
        });
        return out;
    }
}

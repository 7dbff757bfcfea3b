package dpvm.tensor.cpu;

import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.Backend.PoolSpec;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/** Glue from tensors to the array-level kernels {@link Gemm}, {@link Conv} and {@link Pool}. */
final class CpuDense {
    private CpuDense() {}

    // ---------------------------------------------------------------- matmul

    /** How one operand's last two dims sit in memory: row-major (lead = row stride) or transposed. */
    private record Layout(Tensor t, boolean transposed, int lead) {}

    private static Layout layout(CpuBackend backend, Tensor t) {
        int r = t.rank();
        int[] s = t.shape(), st = t.strides();
        int rows = s[r - 2], cols = s[r - 1];
        if ((st[r - 1] == 1 || cols == 1) && st[r - 2] >= Math.max(1, cols)) return new Layout(t, false, Math.max(st[r - 2], Math.max(1, cols)));
        if ((st[r - 2] == 1 || rows == 1) && st[r - 1] >= Math.max(1, rows)) return new Layout(t, true, Math.max(st[r - 1], Math.max(1, rows)));
        Tensor c = backend.copy(t, t.dtype());
        return new Layout(c, false, Math.max(1, cols));
    }

    static Tensor matmul(CpuBackend backend, Tensor a, Tensor b) {
        if (a.dtype() == DType.BFLOAT16) {
            // products of bfloat16 values are exact in float32; accumulate in float32, round the result once
            try (Tensor fa = backend.copy(a, DType.FLOAT32); Tensor fb = backend.copy(b, DType.FLOAT32); Tensor y = matmul(backend, fa, fb)) {
                return backend.copy(y, DType.BFLOAT16);
            }
        }
        int ra = a.rank(), rb = b.rank();
        int m = a.shape()[ra - 2], k = a.shape()[ra - 1], n = b.shape()[rb - 1];
        int[] outShape = Shape.matmul(a.shape(), b.shape());
        int[] batch = Arrays.copyOf(outShape, outShape.length - 2);
        Tensor out = backend.fill(outShape, a.dtype(), 0);
        if (m == 0 || n == 0) return out;
        Layout la = layout(backend, a), lb = layout(backend, b);
        int count = Shape.numel(batch);
        int[] aOff = batchOffsets(la.t, batch), bOff = batchOffsets(lb.t, batch);
        CpuStorage sa = (CpuStorage) la.t.storage(), sb = (CpuStorage) lb.t.storage(), so = (CpuStorage) out.storage();
        boolean f32 = a.dtype() == DType.FLOAT32;
        Parallel.RangeBody body = (from, to) -> {
            for (int i = from; i < to; i++) {
                if (f32) {
                    Gemm.sgemm(la.transposed, lb.transposed, m, n, k, 1f, sa.f, aOff[i], la.lead, sb.f, bOff[i], lb.lead, 0f, so.f, i * m * n, n);
                } else {
                    Gemm.dgemm(la.transposed, lb.transposed, m, n, k, 1.0, sa.d, aOff[i], la.lead, sb.d, bOff[i], lb.lead, 0.0, so.d, i * m * n, n);
                }
            }
        };
        // many small products: one per task; few large ones: each GEMM parallelises itself
        long work = (long) m * n * k;
        if (count > 1 && work < (1L << 20)) Parallel.forRange(count, 1, body);
        else body.run(0, count);
        return out;
    }

    /** Storage offset of each batch matrix of t, its batch dims broadcast to {@code batch}. */
    private static int[] batchOffsets(Tensor t, int[] batch) {
        int r = t.rank(), lead = batch.length - (r - 2);
        int[] s = t.shape(), st = t.strides();
        int count = Shape.numel(batch);
        int[] out = new int[count];
        int[] coord = new int[batch.length];
        for (int i = 0; i < count; i++) {
            int off = t.offset();
            for (int d = 0; d < batch.length; d++) {
                int j = d - lead;
                if (j >= 0 && s[j] != 1) off += coord[d] * st[j];
            }
            out[i] = off;
            for (int d = batch.length - 1; d >= 0; d--) {
                if (++coord[d] < batch[d]) break;
                coord[d] = 0;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- convolution

    private static Tensor contiguous(CpuBackend backend, Tensor t) {
        return t.isContiguous() && t.offset() == 0 ? t : backend.copy(t, t.dtype());
    }

    static Tensor conv(CpuBackend backend, Tensor x, Tensor w, ConvSpec spec) {
        ConvGeometry g = ConvGeometry.of(x.shape(), w.shape(), spec);
        Tensor cx = contiguous(backend, x), cw = contiguous(backend, w);
        Tensor y = backend.fill(Shape.withSpatial(g.batch(), g.outChannels(), g.outSize(), x.rank() - 2), x.dtype(), 0);
        CpuStorage sx = (CpuStorage) cx.storage(), sw = (CpuStorage) cw.storage(), sy = (CpuStorage) y.storage();
        if (x.dtype() == DType.FLOAT32) Conv.forward(g, sx.f, sw.f, sy.f);
        else Conv.forward(g, sx.d, sw.d, sy.d);
        return y;
    }

    static Tensor convBackwardData(CpuBackend backend, Tensor gy, Tensor w, int[] xShape, ConvSpec spec) {
        ConvGeometry g = ConvGeometry.of(xShape, w.shape(), spec);
        Tensor cg = contiguous(backend, gy), cw = contiguous(backend, w);
        Tensor dx = backend.fill(xShape, gy.dtype(), 0);
        CpuStorage sg = (CpuStorage) cg.storage(), sw = (CpuStorage) cw.storage(), sx = (CpuStorage) dx.storage();
        if (gy.dtype() == DType.FLOAT32) Conv.backwardData(g, sg.f, sw.f, sx.f);
        else Conv.backwardData(g, sg.d, sw.d, sx.d);
        return dx;
    }

    static Tensor convBackwardWeight(CpuBackend backend, Tensor x, Tensor gy, int[] wShape, ConvSpec spec) {
        ConvGeometry g = ConvGeometry.of(x.shape(), wShape, spec);
        Tensor cx = contiguous(backend, x), cg = contiguous(backend, gy);
        Tensor dw = backend.fill(wShape, gy.dtype(), 0);
        CpuStorage sx = (CpuStorage) cx.storage(), sg = (CpuStorage) cg.storage(), sw = (CpuStorage) dw.storage();
        if (gy.dtype() == DType.FLOAT32) Conv.backwardWeight(g, sx.f, sg.f, sw.f);
        else Conv.backwardWeight(g, sx.d, sg.d, sw.d);
        return dw;
    }

    // ---------------------------------------------------------------- pooling

    static Tensor[] maxPool(CpuBackend backend, Tensor x, PoolSpec spec) {
        PoolGeometry g = PoolGeometry.of(x.shape(), spec);
        Tensor cx = contiguous(backend, x);
        int[] ys = Shape.withSpatial(x.shape()[0], x.shape()[1], g.outSize(), x.rank() - 2);
        Tensor y = backend.fill(ys, x.dtype(), 0), arg = backend.fill(ys, DType.INT32, 0);
        CpuStorage sx = (CpuStorage) cx.storage(), sy = (CpuStorage) y.storage(), sa = (CpuStorage) arg.storage();
        if (x.dtype() == DType.FLOAT32) Pool.maxForward(g, sx.f, sy.f, sa.i);
        else Pool.maxForward(g, sx.d, sy.d, sa.i);
        return new Tensor[] {y, arg};
    }

    static Tensor maxPoolBackward(CpuBackend backend, Tensor gy, Tensor argmax, int[] xShape, PoolSpec spec) {
        PoolGeometry g = PoolGeometry.of(xShape, spec);
        Tensor cg = contiguous(backend, gy), ca = contiguous(backend, argmax);
        Tensor dx = backend.fill(xShape, gy.dtype(), 0);
        CpuStorage sg = (CpuStorage) cg.storage(), sa = (CpuStorage) ca.storage(), sx = (CpuStorage) dx.storage();
        if (gy.dtype() == DType.FLOAT32) Pool.maxBackward(g, sg.f, sa.i, sx.f);
        else Pool.maxBackward(g, sg.d, sa.i, sx.d);
        return dx;
    }

    static Tensor avgPool(CpuBackend backend, Tensor x, PoolSpec spec) {
        PoolGeometry g = PoolGeometry.of(x.shape(), spec);
        Tensor cx = contiguous(backend, x);
        Tensor y = backend.fill(Shape.withSpatial(x.shape()[0], x.shape()[1], g.outSize(), x.rank() - 2), x.dtype(), 0);
        CpuStorage sx = (CpuStorage) cx.storage(), sy = (CpuStorage) y.storage();
        if (x.dtype() == DType.FLOAT32) Pool.avgForward(g, spec.countIncludePad(), sx.f, sy.f);
        else Pool.avgForward(g, spec.countIncludePad(), sx.d, sy.d);
        return y;
    }

    static Tensor avgPoolBackward(CpuBackend backend, Tensor gy, int[] xShape, PoolSpec spec) {
        PoolGeometry g = PoolGeometry.of(xShape, spec);
        Tensor cg = contiguous(backend, gy);
        Tensor dx = backend.fill(xShape, gy.dtype(), 0);
        CpuStorage sg = (CpuStorage) cg.storage(), sx = (CpuStorage) dx.storage();
        if (gy.dtype() == DType.FLOAT32) Pool.avgBackward(g, spec.countIncludePad(), sg.f, sx.f);
        else Pool.avgBackward(g, spec.countIncludePad(), sg.d, sx.d);
        return dx;
    }

    static Tensor adaptiveAvgPool(CpuBackend backend, Tensor x, int[] outSize) {
        Tensor cx = contiguous(backend, x);
        int sd = x.rank() - 2;
        int planes = x.shape()[0] * x.shape()[1];
        int[] in3 = Shape.to3(Shape.spatial(x.shape()), 1), out3 = Shape.to3(outSize, 1);
        Tensor y = backend.fill(Shape.withSpatial(x.shape()[0], x.shape()[1], out3, sd), x.dtype(), 0);
        CpuStorage sx = (CpuStorage) cx.storage(), sy = (CpuStorage) y.storage();
        if (x.dtype() == DType.FLOAT32) Pool.adaptiveAvgForward(planes, in3, out3, sx.f, sy.f);
        else Pool.adaptiveAvgForward(planes, in3, out3, sx.d, sy.d);
        return y;
    }

    static Tensor adaptiveAvgPoolBackward(CpuBackend backend, Tensor gy, int[] xShape) {
        Tensor cg = contiguous(backend, gy);
        int planes = xShape[0] * xShape[1];
        int[] in3 = Shape.to3(Shape.spatial(xShape), 1), out3 = Shape.to3(Shape.spatial(gy.shape()), 1);
        Tensor dx = backend.fill(xShape, gy.dtype(), 0);
        CpuStorage sg = (CpuStorage) cg.storage(), sx = (CpuStorage) dx.storage();
        if (gy.dtype() == DType.FLOAT32) Pool.adaptiveAvgBackward(planes, in3, out3, sg.f, sx.f);
        else Pool.adaptiveAvgBackward(planes, in3, out3, sg.d, sx.d);
        return dx;
    }
}

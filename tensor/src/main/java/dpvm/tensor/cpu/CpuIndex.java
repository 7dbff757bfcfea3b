package dpvm.tensor.cpu;

import dpvm.tensor.Shape;
import dpvm.tensor.ShapeException;
import dpvm.tensor.Tensor;

/**
 * Index-driven copies. Tensors are viewed as [outer, dim, inner]; the additive (adjoint) kernels accumulate in a
 * fixed order so repeated indices give the same sums on every run.
 */
final class CpuIndex {
    private CpuIndex() {}

    private static long[] indices(CpuBackend backend, Tensor index, int bound, String op, int[] shape, int dim) {
        long[] idx = (long[]) backend.download(backend.copy(index, dpvm.tensor.DType.INT64));
        for (long v : idx) {
            if (v < 0 || v >= bound) throw new ShapeException(op + ": index " + v + " is out of range for dim " + dim + " of size " + bound + " in shape " + Shape.str(shape));
        }
        return idx;
    }

    private static int prod(int[] s, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= s[i];
        return p;
    }

    static Tensor indexSelect(CpuBackend backend, Tensor x, int dim, Tensor index) {
        int[] xs = x.shape();
        long[] idx = indices(backend, index, xs[dim], "index_select", xs, dim);
        Tensor c = x.isContiguous() ? x : backend.copy(x, x.dtype());
        int outer = prod(xs, 0, dim), inner = prod(xs, dim + 1, xs.length), d = xs[dim], n = idx.length;
        int[] os = xs.clone();
        os[dim] = n;
        Tensor out = backend.fill(os, x.dtype(), 0);
        CpuStorage src = (CpuStorage) c.storage(), dst = (CpuStorage) out.storage();
        int base = c.offset();
        Parallel.forRange(outer * n, Math.max(1, 4096 / Math.max(1, inner)), (from, to) -> {
            for (int t = from; t < to; t++) {
                int o = t / n, j = t % n;
                copyRun(src, base + (o * d + (int) idx[j]) * inner, dst, t * inner, inner);
            }
        });
        return out;
    }

    private static void copyRun(CpuStorage src, int from, CpuStorage dst, int to, int n) {
        switch (src.dtype()) {
            case FLOAT32 -> System.arraycopy(src.f, from, dst.f, to, n);
            case FLOAT64 -> System.arraycopy(src.d, from, dst.d, to, n);
            case INT32 -> System.arraycopy(src.i, from, dst.i, to, n);
            case INT64 -> System.arraycopy(src.l, from, dst.l, to, n);
            case BFLOAT16 -> System.arraycopy(src.h, from, dst.h, to, n);
        }
    }

    static Tensor indexAdd(CpuBackend backend, int[] shape, int dim, Tensor index, Tensor src) {
        long[] idx = indices(backend, index, shape[dim], "index_add", shape, dim);
        int[] expect = shape.clone();
        expect[dim] = idx.length;
        if (!Shape.same(expect, src.shape())) throw new ShapeException("index_add: src " + Shape.str(src.shape()) + " should be " + Shape.str(expect));
        Tensor c = src.isContiguous() ? src : backend.copy(src, src.dtype());
        Tensor out = backend.fill(shape, src.dtype(), 0);
        int outer = prod(shape, 0, dim), inner = prod(shape, dim + 1, shape.length), d = shape[dim], n = idx.length;
        CpuStorage s = (CpuStorage) c.storage(), o = (CpuStorage) out.storage();
        int base = c.offset();
        // parallel over (outer, inner) positions; each walks j in order, so sums are deterministic
        Parallel.forRange(outer, 1, (from, to) -> {
            for (int a = from; a < to; a++) {
                for (int j = 0; j < n; j++) {
                    int so = base + (a * n + j) * inner, oo = (a * d + (int) idx[j]) * inner;
                    for (int k = 0; k < inner; k++) o.set(oo + k, o.get(oo + k) + s.get(so + k));
                }
            }
        });
        return out;
    }

    /** Visits each element of index (contiguous order) with the flat offset it addresses in a tensor of shape. */
    private interface Visit {
        void at(int i, int target);
    }

    private static void walk(int[] ishape, int[] tshape, int dim, long[] idx, String op, Visit visit) {
        int r = ishape.length;
        int[] tstr = Shape.contiguousStrides(tshape);
        int[] coord = new int[r];
        for (int i = 0; i < idx.length; i++) {
            long v = idx[i];
            if (v < 0 || v >= tshape[dim]) throw new ShapeException(op + ": index " + v + " is out of range for dim " + dim + " of size " + tshape[dim] + " in shape " + Shape.str(tshape));
            int off = 0;
            for (int k = 0; k < r; k++) off += (k == dim ? (int) v : coord[k]) * tstr[k];
            visit.at(i, off);
            for (int k = r - 1; k >= 0; k--) {
                if (++coord[k] < ishape[k]) break;
                coord[k] = 0;
            }
        }
    }

    static Tensor gather(CpuBackend backend, Tensor x, int dim, Tensor index) {
        long[] idx = (long[]) backend.download(backend.copy(index, dpvm.tensor.DType.INT64));
        Tensor c = x.isContiguous() ? x : backend.copy(x, x.dtype());
        Tensor out = backend.fill(index.shape(), x.dtype(), 0);
        CpuStorage s = (CpuStorage) c.storage(), o = (CpuStorage) out.storage();
        int base = c.offset();
        walk(index.shape(), x.shape(), dim, idx, "gather", (i, target) -> o.set(i, s.get(base + target)));
        return out;
    }

    static Tensor scatterAdd(CpuBackend backend, int[] shape, int dim, Tensor index, Tensor src) {
        long[] idx = (long[]) backend.download(backend.copy(index, dpvm.tensor.DType.INT64));
        Tensor c = src.isContiguous() ? src : backend.copy(src, src.dtype());
        Tensor out = backend.fill(shape, src.dtype(), 0);
        CpuStorage s = (CpuStorage) c.storage(), o = (CpuStorage) out.storage();
        int base = c.offset();
        walk(index.shape(), shape, dim, idx, "scatter_add", (i, target) -> o.set(target, o.get(target) + s.get(base + i)));
        return out;
    }
}

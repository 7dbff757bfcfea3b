package dpvm.kernels;

import dpvm.kernels.runtime.Geometry;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.ShapeException;
import dpvm.tensor.Tensor;

/**
 * index_select, index_add, gather and scatter_add; the index tensor keeps its dtype (int32 or int64). The two
 * additive ones have an atomic kernel and a deterministic one ({@link KernelVariants#INDEX_ADD},
 * {@link KernelVariants#SCATTER_ADD}); the deterministic one runs when {@link Determinism#required()}.
 */
final class Indexing {
    private Indexing() {}

    private static int prod(int[] s, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= s[i];
        return p;
    }

    private static String name(String kernel, Tensor values, Tensor index) {
        return kernel + "_" + Ctx.sfx(values.dtype()) + "_" + Ctx.sfx(index.dtype());
    }

    static Tensor indexSelect(Ctx c, Tensor x, int dim, Tensor index) {
        int[] xs = x.shape();
        Tensor cx = c.dense(x), ci = c.dense(index);
        int outer = prod(xs, 0, dim), inner = prod(xs, dim + 1, xs.length), d = xs[dim], n = index.numel();
        int[] os = xs.clone();
        os[dim] = n;
        Tensor out = c.empty(os, x.dtype());
        c.checked("index_select", d, dim, xs, flag -> c.launch("index.cu", name("index_select", x, index), (long) outer * n * inner,
                Ctx.ptr(cx), Ctx.ptr(ci), Ctx.ptr(out), outer, d, n, inner, flag));
        return out;
    }

    static Tensor indexAdd(Ctx c, int[] shape, int dim, Tensor index, Tensor src) {
        int n = index.numel();
        int[] expect = shape.clone();
        expect[dim] = n;
        if (!Shape.same(expect, src.shape())) throw new ShapeException("index_add: src " + Shape.str(src.shape()) + " should be " + Shape.str(expect));
        Tensor cs = c.dense(src), ci = c.dense(index);
        int outer = prod(shape, 0, dim), inner = prod(shape, dim + 1, shape.length), d = shape[dim];
        Tensor out;
        if (KernelVariants.INDEX_ADD.pick(Determinism.required() ? "sorted" : "atomic", v -> null).equals("sorted")) {
            // positions sorted by index value (stable), then each output sums its own run of them in order
            Tensor[] sorted = sortedPositions(c, ci, n, d, shape, dim);
            Tensor starts = c.empty(new int[] {d + 1}, DType.INT32);
            c.launch("index.cu", "segment_starts", d + 1, Ctx.ptr(sorted[0]), n, d, Ctx.ptr(starts));
            out = c.empty(shape, src.dtype());
            c.launch("index.cu", "index_add_sorted_" + Ctx.sfx(src.dtype()), out.numel(), Ctx.ptr(cs), Ctx.ptr(starts), Ctx.ptr(sorted[1]), Ctx.ptr(out), outer, d, n, inner);
        } else {
            out = Transfers.fill(c, shape, src.dtype(), 0);
            Tensor o = out;
            c.checked("index_add", d, dim, shape, flag -> c.launch("index.cu", name("index_add", src, index), (long) outer * n * inner,
                    Ctx.ptr(cs), Ctx.ptr(ci), Ctx.ptr(o), outer, d, n, inner, flag));
        }
        return out;
    }

    /**
     * {keys, positions}: the n indices sorted stably by value (an out-of-range one as d, reported), by a merge sort
     * of log2(n) passes (index.cu, merge_pass), each pair placed by binary search in the partner run.
     */
    private static Tensor[] sortedPositions(Ctx c, Tensor index, int n, int d, int[] shape, int dim) {
        Tensor keys = c.empty(new int[] {n}, DType.INT32), perm = c.empty(new int[] {n}, DType.INT32);
        Tensor k0 = keys, p0 = perm;
        c.checked("index_add", d, dim, shape, flag -> c.launch("index.cu", "index_keys_" + Ctx.sfx(index.dtype()), n, Ctx.ptr(index), n, d, Ctx.ptr(k0), Ctx.ptr(p0), flag));
        if (n < 2) return new Tensor[] {keys, perm};
        Tensor keys2 = c.empty(new int[] {n}, DType.INT32), perm2 = c.empty(new int[] {n}, DType.INT32);
        for (long width = 1; width < n; width *= 2) {
            c.launch("index.cu", "merge_pass", n, Ctx.ptr(keys), Ctx.ptr(perm), Ctx.ptr(keys2), Ctx.ptr(perm2), n, (int) width);
            Tensor k = keys, p = perm;
            keys = keys2;
            perm = perm2;
            keys2 = k;
            perm2 = p;
        }
        return new Tensor[] {keys, perm};
    }

    static Tensor gather(Ctx c, Tensor x, int dim, Tensor index) {
        Tensor ci = c.dense(index);
        Tensor out = c.empty(index.shape(), x.dtype());
        int n = index.numel();
        // operand 0 carries x's own strides: gather reads any strided view without a copy
        int[] g = unmerged(index.shape(), x.strides());
        c.checked("gather", x.shape()[dim], dim, x.shape(), flag -> c.launch("index.cu", name("gather", x, index), n, g, n, dim, x.shape()[dim],
                Ctx.ptr(x), Ctx.ptr(ci), Ctx.ptr(out), flag));
        return out;
    }

    static Tensor scatterAdd(Ctx c, int[] shape, int dim, Tensor index, Tensor src) {
        Tensor ci = c.dense(index), cs = c.dense(src);
        int n = index.numel();
        Tensor out;
        // with no outputs there is nothing to order, and only the atomic kernel walks the index to report bad ones
        boolean empty = Shape.numel(shape) == 0;
        String whyNotGather = empty ? "the output is empty: only the atomic kernel checks the indices then" : null;
        if (KernelVariants.SCATTER_ADD.pick(Determinism.required() && !empty ? "gather" : "atomic", v -> v.equals("gather") ? whyNotGather : null).equals("gather")) {
            out = c.empty(shape, src.dtype());
            // the output's shape to walk, the index tensor's strides to read it at, its shape to stay inside
            int[] g = unmerged(shape, Shape.contiguousStrides(index.shape()));
            if (shape.length > 0) System.arraycopy(index.shape(), 0, g, Geometry.STRIDES + Geometry.MAX_DIMS, shape.length);
            else g[Geometry.STRIDES + Geometry.MAX_DIMS] = 1;
            Tensor o = out;
            c.checked("scatter_add", shape[dim], dim, shape, flag -> c.launch("index.cu", name("scatter_add_gather", src, index), o.numel(), g, o.numel(), dim,
                    Ctx.ptr(cs), Ctx.ptr(ci), Ctx.ptr(o), flag));
        } else {
            out = Transfers.fill(c, shape, src.dtype(), 0);
            int[] g = unmerged(index.shape(), out.strides());
            Tensor o = out;
            c.checked("scatter_add", shape[dim], dim, shape, flag -> c.launch("index.cu", name("scatter_add", src, index), n, g, n, dim, shape[dim],
                    Ctx.ptr(cs), Ctx.ptr(ci), Ctx.ptr(o), flag));
        }
        return out;
    }

    /**
     * The walk over the index tensor's own dims, not merged: the kernel substitutes the index value on dim
     * {@code dim}, so dims keep their numbering.
     */
    private static int[] unmerged(int[] ishape, int[] targetStrides) {
        if (ishape.length > Geometry.MAX_DIMS) throw new ShapeException("gather/scatter_add on CUDA take up to " + Geometry.MAX_DIMS + " dims, got " + Shape.str(ishape));
        int[] g = new int[Geometry.INTS];
        g[0] = ishape.length;
        System.arraycopy(ishape, 0, g, 1, ishape.length);
        System.arraycopy(targetStrides, 0, g, Geometry.STRIDES, ishape.length);
        if (ishape.length == 0) {
            g[0] = 1;
            g[1] = 1;
        }
        return g;
    }
}

package dpvm.kernels;

import dpvm.kernels.runtime.Geometry;
import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.Unary;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

/** Unary, binary and where: one strided kernel per dtype, plus a flat path for dense same-shape binaries. */
final class Elementwise {
    private Elementwise() {}

    static Tensor unary(Ctx c, Unary op, Tensor x) {
        Tensor out = c.empty(x.shape(), x.dtype());
        int n = out.numel();
        int[] g = Geometry.pack(x.shape(), new int[][] {out.strides(), x.strides()});
        c.launch("elementwise.cu", "unary_" + Ctx.sfx(x.dtype()), n, g, n, op.ordinal(), Ctx.ptr(out), Ctx.ptr(x));
        return out;
    }

    static Tensor binary(Ctx c, Binary op, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(op.name().toLowerCase(), a.shape(), b.shape());
        Tensor out = c.empty(shape, a.dtype());
        int n = out.numel();
        String s = Ctx.sfx(a.dtype());
        if (a.isContiguous() && b.isContiguous() && Shape.same(a.shape(), shape) && Shape.same(b.shape(), shape)) {
            long po = Ctx.ptr(out), pa = Ctx.ptr(a), pb = Ctx.ptr(b);
            if (a.dtype() == dpvm.tensor.DType.FLOAT32 && n % 4 == 0 && ((po | pa | pb) & 15) == 0) {
                c.launch("elementwise.cu", "binary_flat4_f32", n / 4, n / 4, op.ordinal(), po, pa, pb);
            } else {
                c.launch("elementwise.cu", "binary_flat_" + s, n, n, op.ordinal(), po, pa, pb);
            }
            return out;
        }
        int[] g = Geometry.pack(shape, new int[][] {out.strides(), Geometry.broadcastStrides(a.shape(), a.strides(), shape),
                Geometry.broadcastStrides(b.shape(), b.strides(), shape)});
        c.launch("elementwise.cu", "binary_" + s, n, g, n, op.ordinal(), Ctx.ptr(out), Ctx.ptr(a), Ctx.ptr(b));
        return out;
    }

    static Tensor where(Ctx c, Tensor cond, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        Tensor out = c.empty(shape, a.dtype());
        int n = out.numel();
        int[] g = Geometry.pack(shape, new int[][] {out.strides(), Geometry.broadcastStrides(cond.shape(), cond.strides(), shape),
                Geometry.broadcastStrides(a.shape(), a.strides(), shape), Geometry.broadcastStrides(b.shape(), b.strides(), shape)});
        c.launch("elementwise.cu", "where_" + Ctx.sfx(cond.dtype()) + "_" + Ctx.sfx(a.dtype()), n, g, n, Ctx.ptr(out), Ctx.ptr(cond), Ctx.ptr(a), Ctx.ptr(b));
        return out;
    }
}

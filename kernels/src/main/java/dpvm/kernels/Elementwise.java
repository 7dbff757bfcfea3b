package dpvm.kernels;

import dpvm.kernels.runtime.Geometry;
import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.Unary;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/** Unary, binary and where: one strided kernel per dtype, plus flat kernels for dense same-shape binaries. */
final class Elementwise {
    private Elementwise() {}

    static Tensor unary(Ctx c, Unary op, Tensor x) {
        Tensor out = c.empty(x.shape(), x.dtype());
        int n = out.numel();
        int[] g = Geometry.pack(x.shape(), new int[][] {out.strides(), x.strides()});
        c.launch("elementwise.cu", "unary_" + Ctx.sfx(x.dtype()), n, g, n, op.ordinal(), Ctx.ptr(out), Ctx.ptr(x));
        return out;
    }

    /**
     * Binary ops through one of three kernels ({@link KernelVariants#BINARY}): strided (any broadcast view),
     * flat (dense same-shape operands, no index arithmetic) or flat4 (float32 in 16-byte vectors).
     */
    static Tensor binary(Ctx c, Binary op, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(op.name().toLowerCase(), a.shape(), b.shape());
        Tensor out = c.empty(shape, a.dtype());
        int n = out.numel();
        String s = Ctx.sfx(a.dtype());
        String notFlat = whyNotFlat(a, b, shape);
        String notFlat4 = notFlat != null ? notFlat : whyNotFlat4(a.dtype(), n, Ctx.ptr(out), Ctx.ptr(a), Ctx.ptr(b));
        String variant = KernelVariants.BINARY.pick(notFlat4 == null ? "flat4" : notFlat == null ? "flat" : "strided",
                v -> v.equals("flat") ? notFlat : v.equals("flat4") ? notFlat4 : null);
        switch (variant) {
            case "flat4" -> c.launch("elementwise.cu", "binary_flat4_f32", n / 4, n / 4, op.ordinal(), Ctx.ptr(out), Ctx.ptr(a), Ctx.ptr(b));
            case "flat" -> c.launch("elementwise.cu", "binary_flat_" + s, n, n, op.ordinal(), Ctx.ptr(out), Ctx.ptr(a), Ctx.ptr(b));
            case "strided" -> {
                int[] g = Geometry.pack(shape, new int[][] {out.strides(), Shape.broadcastStrides(a.shape(), a.strides(), shape),
                        Shape.broadcastStrides(b.shape(), b.strides(), shape)});
                c.launch("elementwise.cu", "binary_" + s, n, g, n, op.ordinal(), Ctx.ptr(out), Ctx.ptr(a), Ctx.ptr(b));
            }
            default -> throw new IllegalStateException("binary: no kernel for variant " + variant);
        }
        return out;
    }

    /** Why the flat kernels cannot take these operands (they index a, b and the output alike), or null. */
    static String whyNotFlat(Tensor a, Tensor b, int[] outShape) {
        for (Tensor t : new Tensor[] {a, b}) {
            if (!Shape.same(t.shape(), outShape)) return "operand " + Shape.str(t.shape()) + " is broadcast to " + Shape.str(outShape);
            if (!t.isContiguous()) return "operand " + Shape.str(t.shape()) + " with strides " + Arrays.toString(t.strides()) + " is not contiguous";
        }
        return null;
    }

    /** Why float4 loads cannot cover n elements at these addresses, or null. */
    static String whyNotFlat4(DType dtype, int n, long out, long a, long b) {
        if (dtype != DType.FLOAT32) return "flat4 is float32 only, got " + dtype;
        if (n % 4 != 0) return "the length " + n + " is not a multiple of 4";
        if (((out | a | b) & 15) != 0) return String.format("the addresses out 0x%x, a 0x%x, b 0x%x are not all 16-byte aligned", out, a, b);
        return null;
    }

    static Tensor where(Ctx c, Tensor cond, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        Tensor out = c.empty(shape, a.dtype());
        int n = out.numel();
        int[] g = Geometry.pack(shape, new int[][] {out.strides(), Shape.broadcastStrides(cond.shape(), cond.strides(), shape),
                Shape.broadcastStrides(a.shape(), a.strides(), shape), Shape.broadcastStrides(b.shape(), b.strides(), shape)});
        c.launch("elementwise.cu", "where_" + Ctx.sfx(cond.dtype()) + "_" + Ctx.sfx(a.dtype()), n, g, n, Ctx.ptr(out), Ctx.ptr(cond), Ctx.ptr(a), Ctx.ptr(b));
        return out;
    }
}

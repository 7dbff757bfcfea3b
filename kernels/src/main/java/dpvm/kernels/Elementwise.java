package dpvm.kernels;

import dpvm.kernels.runtime.Geometry;
import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.Unary;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/**
 * Unary, binary and where: one strided kernel per dtype, plus kernels for dense operands: flat (no index arithmetic)
 * and vector (16-byte loads and stores).
 */
final class Elementwise {
    private Elementwise() {}

    /** Unary ops through the strided kernel or, for a dense input, in 16-byte vectors ({@link KernelVariants#UNARY}). */
    static Tensor unary(Ctx c, Unary op, Tensor x) {
        Tensor out = c.empty(x.shape(), x.dtype());
        int n = out.numel();
        String s = Ctx.sfx(x.dtype());
        String notVector = !x.isContiguous() ? "the input " + Shape.str(x.shape()) + " with strides " + Arrays.toString(x.strides()) + " is not contiguous"
                : whyNotVector(x.dtype(), n, new String[] {"out", "x"}, Ctx.ptr(out), Ctx.ptr(x));
        if (KernelVariants.UNARY.pick(notVector == null ? "vector" : "strided", v -> v.equals("vector") ? notVector : null).equals("vector")) {
            c.launch("elementwise.cu", "unary_vector_" + s, n / vectorElements(x.dtype()), n, op.ordinal(), Ctx.ptr(out), Ctx.ptr(x));
        } else {
            int[] g = Geometry.pack(x.shape(), new int[][] {out.strides(), x.strides()});
            c.launch("elementwise.cu", "unary_" + s, n, g, n, op.ordinal(), Ctx.ptr(out), Ctx.ptr(x));
        }
        return out;
    }

    /**
     * Binary ops through one of three kernels ({@link KernelVariants#BINARY}): strided (any broadcast view),
     * flat (dense same-shape operands, no index arithmetic) or vector (flat, in 16-byte vectors).
     */
    static Tensor binary(Ctx c, Binary op, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(op.name().toLowerCase(), a.shape(), b.shape());
        Tensor out = c.empty(shape, a.dtype());
        int n = out.numel();
        String s = Ctx.sfx(a.dtype());
        String notFlat = whyNotFlat(a, b, shape);
        String notVector = notFlat != null ? notFlat : whyNotVector(a.dtype(), n, new String[] {"out", "a", "b"}, Ctx.ptr(out), Ctx.ptr(a), Ctx.ptr(b));
        String variant = KernelVariants.BINARY.pick(notVector == null ? "vector" : notFlat == null ? "flat" : "strided",
                v -> v.equals("flat") ? notFlat : v.equals("vector") ? notVector : null);
        switch (variant) {
            case "vector" -> c.launch("elementwise.cu", "binary_vector_" + s, n / vectorElements(a.dtype()), n, op.ordinal(), Ctx.ptr(out), Ctx.ptr(a), Ctx.ptr(b));
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

    /** Elements of {@code dtype} in one 16-byte vector. */
    static int vectorElements(DType dtype) {
        return 16 / dtype.byteSize();
    }

    /** Why 16-byte vector loads cannot take n elements of {@code dtype} at these addresses (of the named operands), or null. */
    static String whyNotVector(DType dtype, int n, String[] names, long... addresses) {
        int k = vectorElements(dtype);
        if (n < k) return "the length " + n + " is shorter than one 16-byte vector (" + k + " " + dtype + " elements)";
        long any = 0;
        for (long address : addresses) any |= address;
        if ((any & 15) == 0) return null;
        StringBuilder listed = new StringBuilder();
        for (int i = 0; i < addresses.length; i++) listed.append(i == 0 ? "" : ", ").append(names[i]).append(String.format(" 0x%x", addresses[i]));
        return "the addresses " + listed + " are not all 16-byte aligned";
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

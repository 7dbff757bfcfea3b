package dpvm.kernels;

import dpvm.kernels.runtime.Geometry;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;

import java.util.Arrays;

/** Host transfers, fill, and the strided copy/cast kernel. */
final class Transfers {
    private Transfers() {}

    static void upload(Ctx c, CudaStorage dst, int offset, Object host) {
        int n = java.lang.reflect.Array.getLength(host);
        if (offset < 0 || offset + n > dst.size()) throw new IllegalArgumentException("upload: " + n + " values at offset " + offset + " exceed storage of " + dst.size());
        if (n == 0) return;
        try (Pointer p = hostPointer(host, dst.dtype())) {
            long bytes = (long) n * dst.dtype().byteSize();
            long to = dst.address() + (long) offset * dst.dtype().byteSize();
            Cuda.check(cudart.cudaMemcpyAsync(Cuda.at(to), p, bytes, cudart.cudaMemcpyHostToDevice, c.dev.rawStream()), "cudaMemcpyAsync(host to device)");
            c.dev.stream().synchronize(); // the native copy of the host array is freed when this block ends
        }
    }

    private static Pointer hostPointer(Object host, DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> new FloatPointer(expect(host, float[].class, dtype));
            case FLOAT64 -> new DoublePointer(expect(host, double[].class, dtype));
            case INT32 -> new IntPointer(expect(host, int[].class, dtype));
            case INT64 -> new LongPointer(expect(host, long[].class, dtype));
            case BFLOAT16 -> new ShortPointer(expect(host, short[].class, dtype));
        };
    }

    private static <T> T expect(Object host, Class<T> type, DType dtype) {
        if (!type.isInstance(host)) throw new IllegalArgumentException("upload: a " + host.getClass().getSimpleName() + " cannot fill " + dtype + " storage");
        return type.cast(host);
    }

    static Object download(Ctx c, Tensor src) {
        Tensor t = c.dense(src);
        int n = t.numel();
        long bytes = (long) n * t.dtype().byteSize();
        switch (t.dtype()) {
            case FLOAT32 -> {
                try (FloatPointer p = new FloatPointer(Math.max(1, n))) {
                    fetch(c, p, t, bytes);
                    float[] a = new float[n];
                    p.get(a);
                    return a;
                }
            }
            case FLOAT64 -> {
                try (DoublePointer p = new DoublePointer(Math.max(1, n))) {
                    fetch(c, p, t, bytes);
                    double[] a = new double[n];
                    p.get(a);
                    return a;
                }
            }
            case INT32 -> {
                try (IntPointer p = new IntPointer(Math.max(1, n))) {
                    fetch(c, p, t, bytes);
                    int[] a = new int[n];
                    p.get(a);
                    return a;
                }
            }
            case BFLOAT16 -> {
                try (ShortPointer p = new ShortPointer(Math.max(1, n))) {
                    fetch(c, p, t, bytes);
                    short[] a = new short[n];
                    p.get(a);
                    return a;
                }
            }
            default -> {
                try (LongPointer p = new LongPointer(Math.max(1, n))) {
                    fetch(c, p, t, bytes);
                    long[] a = new long[n];
                    p.get(a);
                    return a;
                }
            }
        }
    }

    private static void fetch(Ctx c, Pointer host, Tensor t, long bytes) {
        if (bytes > 0) {
            Cuda.check(cudart.cudaMemcpyAsync(host, Cuda.at(Ctx.ptr(t)), bytes, cudart.cudaMemcpyDeviceToHost, c.dev.rawStream()), "cudaMemcpyAsync(device to host)");
        }
        // one wait for the data and the bad-index slots of earlier ops, which surface here
        c.dev.indexChecks().reportAround(() -> c.dev.stream().synchronize());
    }

    static Tensor fill(Ctx c, int[] shape, DType dtype, double value) {
        Tensor t = c.empty(shape, dtype);
        if (value == 0 && Double.doubleToRawLongBits(value) == 0) c.memsetZero(t);
        else fillValue(c, t, value);
        return t;
    }

    /** Writes value into every element of contiguous t (also used to poison fresh outputs). */
    static void fillValue(Ctx c, Tensor t, double value) {
        c.launch("copy.cu", "fill_" + Ctx.sfx(t.dtype()), t.numel(), t.numel(), Ctx.ptr(t), value);
    }

    static Tensor copy(Ctx c, Tensor src, DType dtype) {
        Tensor out = c.empty(src.shape(), dtype);
        copyInto(c, out, src);
        return out;
    }

    /**
     * dst (strided view) = src broadcast to dst's shape, converted to dst's dtype: a device-to-device memcpy when
     * that is a plain byte copy, else the strided copy kernel ({@link KernelVariants#COPY}).
     */
    static void copyInto(Ctx c, Tensor dst, Tensor src) {
        int[] shape = dst.shape();
        Shape.broadcast("copy", shape, src.shape());
        int n = dst.numel();
        if (n == 0) return;
        String notMemcpy = whyNotMemcpy(dst, src);
        String variant = KernelVariants.COPY.pick(notMemcpy == null ? "memcpy" : "strided", v -> v.equals("memcpy") ? notMemcpy : null);
        switch (variant) {
            case "memcpy" -> {
                long bytes = (long) n * dst.dtype().byteSize();
                Cuda.check(cudart.cudaMemcpyAsync(Cuda.at(Ctx.ptr(dst)), Cuda.at(Ctx.ptr(src)), bytes, cudart.cudaMemcpyDeviceToDevice, c.dev.rawStream()),
                        "cudaMemcpyAsync(device to device)");
            }
            case "strided" -> {
                int[] g = Geometry.pack(shape, new int[][] {dst.strides(), Shape.broadcastStrides(src.shape(), src.strides(), shape)});
                c.launch("copy.cu", "copy_" + Ctx.sfx(src.dtype()) + "_" + Ctx.sfx(dst.dtype()), n, g, n, Ctx.ptr(dst), Ctx.ptr(src));
            }
            default -> throw new IllegalStateException("copy: no kernel for variant " + variant);
        }
    }

    /** Why a plain byte copy cannot do this copy (it converts no dtype and follows no strides), or null. */
    static String whyNotMemcpy(Tensor dst, Tensor src) {
        if (dst.dtype() != src.dtype()) return "it converts no dtype, got " + src.dtype() + " to " + dst.dtype();
        if (!Shape.same(dst.shape(), src.shape())) return "it broadcasts nothing, got " + Shape.str(src.shape()) + " to " + Shape.str(dst.shape());
        if (!dst.isContiguous() || !src.isContiguous()) return "it needs contiguous tensors, got strides " + Arrays.toString(src.strides())
                + " to " + Arrays.toString(dst.strides());
        return null;
    }
}

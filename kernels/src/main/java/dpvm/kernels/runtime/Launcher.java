package dpvm.kernels.runtime;

import dpvm.kernels.Cuda;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Packs kernel arguments and launches. cuLaunchKernel wants one pointer per parameter; the values live in one
 * native buffer and the pointer table in another, both reused (one launcher per thread). Argument kinds:
 * {@link Integer} (int), {@link Long} (device pointer or int64), {@link Double}, {@link Float}, and
 * {@code int[]} for by-value structs made of ints ({@code Geo}, {@code PoolGeo}).
 */
public final class Launcher {
    private static final int BUFFER = 8192, MAX_ARGS = 64;
    private static final ThreadLocal<Launcher> PER_THREAD = ThreadLocal.withInitial(Launcher::new);

    private final BytePointer values = new BytePointer(BUFFER);
    private final LongPointer slots = new LongPointer(MAX_ARGS);
    private final PointerPointer params = new PointerPointer(slots);

    public static void launch(CUfunc_st f, CUstream_st stream, int grid, int block, int sharedBytes, Object... args) {
        PER_THREAD.get().go(f, stream, grid, block, sharedBytes, args);
    }

    private void go(CUfunc_st f, CUstream_st stream, int grid, int block, int sharedBytes, Object[] args) {
        if (args.length > MAX_ARGS) throw new IllegalArgumentException("too many kernel arguments: " + args.length);
        long off = 0;
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            int align = a instanceof Long || a instanceof Double ? 8 : 4;
            off = (off + align - 1) / align * align;
            slots.put(i, values.address() + off);
            if (a instanceof Integer v) {
                values.putInt(off, v);
                off += 4;
            } else if (a instanceof Long v) {
                values.putLong(off, v);
                off += 8;
            } else if (a instanceof Double v) {
                values.putDouble(off, v);
                off += 8;
            } else if (a instanceof Float v) {
                values.putFloat(off, v);
                off += 4;
            } else if (a instanceof int[] s) {
                for (int v : s) {
                    values.putInt(off, v);
                    off += 4;
                }
            } else {
                throw new IllegalArgumentException("unsupported kernel argument " + a);
            }
            if (off > BUFFER) throw new IllegalArgumentException("kernel arguments exceed " + BUFFER + " bytes");
        }
        Cuda.checkDriver(cudart.cuLaunchKernel(f, grid, 1, 1, block, 1, 1, sharedBytes, stream, params, null), "cuLaunchKernel");
        LaunchLog.record(f, grid, block, sharedBytes);
    }
}

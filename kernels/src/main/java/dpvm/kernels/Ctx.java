package dpvm.kernels;

import dpvm.kernels.runtime.Launcher;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Tensor;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.global.cudart;

import java.util.function.LongConsumer;

/** What every op class needs from the device: pointers, fresh tensors, launches and checked index launches. */
final class Ctx {
    static final int THREADS = 256;

    final CudaDevice dev;
    final Device device;

    Ctx(CudaDevice dev) {
        this.dev = dev;
        this.device = Device.cuda(dev.index());
    }

    /** Most blocks one launch is given; kernels with more work loop over the rest. */
    static final int MAX_BLOCKS = 65535 * 16;

    /** Device address of the tensor's first element. */
    static long ptr(Tensor t) {
        return ((CudaStorage) t.storage()).address() + (long) t.offset() * t.dtype().byteSize();
    }

    /** As {@link #ptr}, or a null pointer for an absent operand (an optional weight or bias). */
    static long ptrOrNull(Tensor t) {
        return t == null ? 0L : ptr(t);
    }

    /** {@code blocks} capped at {@link #MAX_BLOCKS}. */
    static int cappedBlocks(long blocks) {
        return (int) Math.min(blocks, MAX_BLOCKS);
    }

    /** Kernel-name suffix of a dtype (see DPVM_FOR_EACH_TYPE). */
    static String sfx(DType t) {
        return switch (t) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT32 -> "i32";
            case INT64 -> "i64";
            case BFLOAT16 -> "bf16";
        };
    }

    Tensor empty(int[] shape, DType dtype) {
        return Tensor.empty(shape, dtype, device);
    }

    /** t itself when its elements are one dense run, else a contiguous copy (a backend temporary). */
    Tensor dense(Tensor t) {
        return t.isContiguous() ? t : Transfers.copy(this, t, t.dtype());
    }

    /** A grid-stride launch over n items, capped at a few waves of blocks per multiprocessor. */
    void launch(String file, String fn, long n, Object... args) {
        if (n > 0) launch(dev.kernels().function(file, fn), n, args);
    }

    /** As above for a function already looked up (a generated kernel). */
    void launch(CUfunc_st fn, long n, Object... args) {
        if (n <= 0) return;
        int blocks = (int) Math.min((n + THREADS - 1) / THREADS, (long) dev.multiprocessors() * 32);
        Launcher.launch(fn, dev.rawStream(), blocks, THREADS, 0, args);
    }

    /** One block per row (capped; the kernels loop over the rest). */
    void launchRows(String file, String fn, int rows, Object... args) {
        if (rows <= 0) return;
        launchBlocks(file, fn, Math.min(rows, MAX_BLOCKS), THREADS, args);
    }

    void launchBlocks(String file, String fn, int blocks, int threads, Object... args) {
        Launcher.launch(dev.kernels().function(file, fn), dev.rawStream(), blocks, threads, 0, args);
    }

    void memsetZero(Tensor t) {
        long bytes = (long) t.numel() * t.dtype().byteSize();
        if (bytes > 0) Cuda.check(cudart.cudaMemsetAsync(Cuda.at(ptr(t)), 0, bytes, dev.rawStream()), "cudaMemsetAsync");
    }

    /**
     * Launches an index kernel: {@code launch} gets the address of a bad-index slot of the launch's own to pass as
     * the kernel's flag, for indices that must lie in [0, bound) on dim {@code dim} of {@code shape} (reported as
     * {@link IndexChecks} says).
     */
    void checked(String op, int bound, int dim, int[] shape, LongConsumer launch) {
        IndexChecks checks = dev.indexChecks();
        launch.accept(checks.slot(op, bound, dim, shape));
        checks.launched();
    }
}

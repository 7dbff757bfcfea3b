package dpvm.kernels.runtime;

import org.bytedeco.cuda.cudart.CUfunc_st;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernels of ours launched while a log is open, in order: name, grid, block and dynamic shared memory of
 * each. Kernels that cuBLAS and cuDNN launch themselves do not pass through the launcher and are not here. One log
 * at a time, for the kernel lab and the checks; with none open a launch pays one volatile read.
 */
public final class LaunchLog implements AutoCloseable {
    /** One launch; {@code function} is the driver's handle, for asking the driver about the kernel. */
    public record Launch(String kernel, CUfunc_st function, int grid, int block, int sharedBytes) {}

    private static volatile LaunchLog open;
    private final List<Launch> launches = new ArrayList<>();

    private LaunchLog() {}

    /** Starts recording every launch on any thread until {@link #close()}. */
    public static synchronized LaunchLog open() {
        if (open != null) throw new IllegalStateException("a launch log is already open");
        open = new LaunchLog();
        return open;
    }

    static void record(CUfunc_st f, int grid, int block, int sharedBytes) {
        LaunchLog log = open;
        if (log == null) return;
        synchronized (log.launches) {
            log.launches.add(new Launch(Kernels.nameOf(f), f, grid, block, sharedBytes));
        }
    }

    /** The launches so far, oldest first. */
    public List<Launch> launches() {
        synchronized (launches) {
            return List.copyOf(launches);
        }
    }

    @Override
    public void close() {
        synchronized (LaunchLog.class) {
            if (open == this) open = null;
        }
    }
}

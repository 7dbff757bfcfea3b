package dpvm.kernels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every time the host waits for a GPU (a stream or event synchronisation, and so every download, {@code item()},
 * upload of pageable memory and read of bad-index slots), counted by the code that asked for it: the first caller
 * outside the engine's own packages, so the count points at the line of a training loop that stalls the GPU.
 * A step with no wait keeps the GPU's queue full; one with a wait per op leaves it idle while the host catches up.
 *
 * <p>{@code -Ddpvm.cuda.syncDebug=warn} prints each wait with its caller, {@code =error} throws instead (both read
 * at each wait), as PyTorch's {@code torch.cuda.set_sync_debug_mode}. {@link #total()} lets a test assert that a
 * piece of code waits nowhere; the profile table reports the counts.
 */
public final class HostWaits {
    private static final AtomicLong TOTAL = new AtomicLong();
    private static final Map<String, AtomicLong> BY_CALLER = new ConcurrentHashMap<>();
    private static final StackWalker WALKER = StackWalker.getInstance();

    private HostWaits() {}

    /** Host waits since the process started. */
    public static long total() {
        return TOTAL.get();
    }

    /** Waits by caller ("class.method:line"), for the profile table; empty until a wait happens. */
    public static Map<String, Long> byCaller() {
        Map<String, Long> out = new java.util.TreeMap<>();
        BY_CALLER.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Called by the backend right before the host blocks on the GPU; {@code what} names the CUDA call. */
    public static void note(String what) {
        TOTAL.incrementAndGet();
        String caller = caller();
        BY_CALLER.computeIfAbsent(caller, k -> new AtomicLong()).incrementAndGet();
        String mode = System.getProperty("dpvm.cuda.syncDebug", "off");
        switch (mode) {
            case "off" -> { }
            case "warn" -> System.err.println("host wait for the GPU (" + what + ") from " + caller);
            case "error" -> throw new IllegalStateException("host wait for the GPU (" + what + ") from " + caller + " while -Ddpvm.cuda.syncDebug=error");
            default -> throw new IllegalArgumentException("-Ddpvm.cuda.syncDebug must be off, warn or error, got " + mode);
        }
    }

    /** The first frame outside the engine (dpvm.kernels, dpvm.tensor), or the outermost engine frame. */
    private static String caller() {
        return WALKER.walk(frames -> {
            StackWalker.StackFrame last = null;
            for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                String c = f.getClassName();
                last = f;
                if (!c.startsWith("dpvm.kernels.") && !c.startsWith("dpvm.tensor.") && !c.startsWith("java.")) return name(f);
            }
            return last == null ? "unknown" : name(last);
        });
    }

    private static String name(StackWalker.StackFrame f) {
        String c = f.getClassName();
        return c.substring(c.lastIndexOf('.') + 1) + "." + f.getMethodName() + ":" + f.getLineNumber();
    }
}

package dpvm.kernels;

import dpvm.kernels.memory.CachingAllocator;
import dpvm.tensor.Shape;
import dpvm.tensor.ShapeException;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.IntPointer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Out-of-range indices met by the index kernels (index_select, index_add, gather, scatter_add, cross-entropy
 * targets), reported as the CPU backend reports them but without a host wait per op.
 *
 * <p>Each checked launch gets a 16-byte slot of its own in a device buffer, where its kernel records the first bad
 * index it meets ({@code report_bad_index} in common.cuh). The slots are read at the next point where the host
 * waits for the GPU anyway (a download or {@code item()}, {@link CudaDevice#synchronize()}) or when they run out,
 * and the first bad index in launch order is thrown as a {@link ShapeException} naming the op, the index and the
 * shape, as the CPU backend throws it at the op itself. {@code -Ddpvm.cuda.indexChecks=sync} reads the slot right
 * after each launch instead: the error then comes from the op's own call, at the cost of a host wait per op.
 *
 * <p>A CUDA graph gets its own slots while it is captured; each replay makes them pending again, so bad indices in
 * replayed steps are reported too. Slots that read zero are still zero, so the common path clears nothing.
 */
final class IndexChecks {
    static final int SLOT_BYTES = 16;
    /** Checked launches between two reads before the host reads on its own; and per captured graph. */
    static final int SLOTS = 1024;

    private record Check(String op, int bound, int dim, int[] shape) {}

    /** A device buffer of slots and the checks using them, in launch order. */
    static final class Slots {
        private final CachingAllocator.Block block;
        private final List<Check> checks = new ArrayList<>();

        private Slots(CachingAllocator.Block block) {
            this.block = block;
        }
    }

    private final CudaDevice dev;
    private final Slots eager;
    private Slots capturing;
    /** Slots written since the last read (the eager ones and replayed graphs'), and the streams they were written on. */
    private final Set<Slots> pending = new LinkedHashSet<>();
    private final Set<Stream> streams = new LinkedHashSet<>();

    IndexChecks(CudaDevice dev) {
        atTheOp();
        this.dev = dev;
        this.eager = zeroed();
    }

    /** Whether -Ddpvm.cuda.indexChecks=sync asks for the report right after each launch (read at each launch). */
    static boolean atTheOp() {
        String mode = System.getProperty("dpvm.cuda.indexChecks", "deferred");
        if (!mode.equals("sync") && !mode.equals("deferred")) throw new IllegalArgumentException("-Ddpvm.cuda.indexChecks must be deferred or sync, got " + mode);
        return mode.equals("sync");
    }

    private Slots zeroed() {
        Slots s = new Slots(dev.allocator().allocate((long) SLOTS * SLOT_BYTES, dev.stream()));
        Cuda.check(cudart.cudaMemsetAsync(Cuda.at(s.block.address), 0, (long) SLOTS * SLOT_BYTES, dev.rawStream()), "cudaMemsetAsync");
        dev.stream().synchronize();
        return s;
    }

    /**
     * The slot address for the next launch of {@code op}, whose indices must lie in [0, bound) on dim {@code dim}
     * of {@code shape}. Call {@link #launched()} after the launch.
     */
    synchronized long slot(String op, int bound, int dim, int[] shape) {
        Slots s = capturing != null ? capturing : eager;
        if (s.checks.size() == SLOTS) {
            if (s == capturing) throw new IllegalStateException("a captured CUDA graph may hold at most " + SLOTS + " index-checked launches (" + op + " is one more)");
            report();
        }
        s.checks.add(new Check(op, bound, dim, shape.clone()));
        if (s == eager) {
            pending.add(eager);
            streams.add(dev.stream());
        }
        return s.block.address + (long) (s.checks.size() - 1) * SLOT_BYTES;
    }

    /** After a checked launch: in sync mode, reports its bad index now (never while a graph is captured). */
    synchronized void launched() {
        if (capturing == null && atTheOp()) report();
    }

    /** Starts the slots of a graph about to be captured; checked launches use them until {@link #endCapture}. */
    synchronized Slots beginCapture() {
        if (capturing != null) throw new IllegalStateException("a CUDA graph is already being captured");
        capturing = zeroed();
        return capturing;
    }

    synchronized void endCapture() {
        capturing = null;
    }

    /** A replay of a captured graph was queued on the current stream: its slots are read at the next report. */
    synchronized void replayed(Slots graph) {
        if (graph.checks.isEmpty()) return;
        pending.add(graph);
        streams.add(dev.stream());
    }

    /** Returns a closed graph's slots (after a final report). */
    synchronized void release(Slots graph) {
        pending.remove(graph);
        dev.allocator().free(graph.block);
    }

    /**
     * Waits for the work that wrote pending slots, reads them, and throws for the first bad index in launch order
     * (eager launches first, then replayed graphs); every slot is clear again afterwards. Waits only when slots are
     * pending.
     */
    synchronized void report() {
        if (pending.isEmpty() || capturing != null) return;
        reportAround(() -> dev.stream().synchronize());
    }

    /**
     * Runs {@code waitForStream} (a wait for the current stream the caller makes anyway, as a download does) with
     * the copies of the pending slots queued before it, then reports as {@link #report()} does: one wait for both.
     */
    synchronized void reportAround(Runnable waitForStream) {
        if (pending.isEmpty() || capturing != null) {
            waitForStream.run();
            return;
        }
        // the current stream's order covers the slots written on it; work on other streams needs a device-wide wait
        boolean otherStreams = streams.size() > 1 || !streams.contains(dev.stream());
        if (otherStreams) Cuda.check(cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
        List<Slots> read = new ArrayList<>(pending);
        pending.clear();
        streams.clear();
        List<IntPointer> hosts = new ArrayList<>();
        try {
            for (Slots s : read) {
                IntPointer host = new IntPointer((long) s.checks.size() * 4);
                hosts.add(host);
                Cuda.check(cudart.cudaMemcpyAsync(host, Cuda.at(s.block.address), (long) s.checks.size() * SLOT_BYTES, cudart.cudaMemcpyDeviceToHost, dev.rawStream()),
                        "cudaMemcpyAsync(bad-index slots)");
            }
            waitForStream.run();
            ShapeException first = null;
            for (int r = 0; r < read.size(); r++) {
                ShapeException found = scan(read.get(r), hosts.get(r));
                if (first == null) first = found;
            }
            if (first != null) throw first;
        } finally {
            hosts.forEach(IntPointer::close);
        }
    }

    /**
     * The first bad index among the slots just read into {@code host}, or null; set slots are cleared (a wait,
     * only then) and the eager slots are free for new launches again.
     */
    private ShapeException scan(Slots s, IntPointer host) {
        int n = s.checks.size();
        int[] flags = new int[n * 4];
        host.get(flags);
        ShapeException first = null;
        for (int k = 0; k < n && first == null; k++) {
            if (flags[4 * k] == 0) continue;
            Check c = s.checks.get(k);
            long v = (flags[4 * k + 1] & 0xffffffffL) | ((long) flags[4 * k + 2] << 32);
            first = new ShapeException(c.op + ": index " + v + " is out of range for dim " + c.dim + " of size " + c.bound + " in shape " + Shape.str(c.shape)
                    + (atTheOp() ? "" : " (found at the first wait for the GPU after the op; -Ddpvm.cuda.indexChecks=sync reports it at the op)"));
        }
        if (first != null) {
            Cuda.check(cudart.cudaMemsetAsync(Cuda.at(s.block.address), 0, (long) n * SLOT_BYTES, dev.rawStream()), "cudaMemsetAsync");
            dev.stream().synchronize();
        }
        if (s == eager) eager.checks.clear();
        return first;
    }
}

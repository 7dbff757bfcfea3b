package dpvm.kernels.profile;

import dpvm.kernels.CudaDevice;
import dpvm.kernels.Event;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per-op GPU time and memory of one device. When enabled, every backend primitive is bracketed by two CUDA
 * events on the backend's stream (GPU time, free of host dispatch) and the allocator's allocated bytes are read
 * before and after. Events are read back lazily (at {@link #table()} or every 4096 ops), so profiling adds no
 * synchronisation per op. Ops issued during graph capture are not timed. Nsight Systems sees the same op names
 * as NVTX ranges ({@link Nvtx}), which the backend opens around every op whether or not this profiler is on.
 *
 * <p>Enable with {@code -Ddpvm.profile=true} (table printed at exit), {@link #enableFromArgs} for a
 * {@code --profile} flag, or {@link #enable()}.
 */
public final class Profiler {
    private record Pending(String op, Event start, Event end, long memDelta) {}

    /** Totals of one op name. */
    public static final class Row {
        public long calls;
        public double totalMs;
        public long memDelta;
    }

    private final CudaDevice device;
    private volatile boolean enabled = Boolean.getBoolean("dpvm.profile");
    private final List<Pending> pending = new ArrayList<>();
    private final ArrayDeque<Event> spare = new ArrayDeque<>();
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private static volatile boolean hooked;

    public Profiler(CudaDevice device) {
        this.device = device;
        if (enabled) printAtExit();
    }

    /** Removes {@code --profile} from program arguments and, if it was there, profiles every CUDA device used. */
    public static String[] enableFromArgs(String[] args) {
        List<String> rest = new ArrayList<>();
        boolean on = false;
        for (String a : args) {
            if (a.equals("--profile")) on = true;
            else rest.add(a);
        }
        if (on) System.setProperty("dpvm.profile", "true");
        return rest.toArray(new String[0]);
    }

    public void enable() {
        enabled = true;
    }

    public void disable() {
        enabled = false;
    }

    public boolean enabled() {
        return enabled;
    }

    private void printAtExit() {
        if (hooked) return;
        hooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println(table())));
    }

    /** Runs one primitive, timing it when enabled. */
    public <T> T time(String op, Supplier<T> body) {
        if (!enabled || device.capturing()) return body.get();
        long before = device.allocator().stats().allocated();
        Event start, end;
        synchronized (this) {
            start = take();
            end = take();
        }
        start.record(device.stream());
        T result = body.get();
        end.record(device.stream());
        long delta = device.allocator().stats().allocated() - before;
        synchronized (this) {
            pending.add(new Pending(op, start, end, delta));
            if (pending.size() >= 4096) resolve();
        }
        return result;
    }

    private Event take() {
        Event e = spare.poll();
        return e != null ? e : new Event();
    }

    private void resolve() {
        for (Pending p : pending) {
            p.end.synchronize();
            Row r = rows.computeIfAbsent(p.op, k -> new Row());
            r.calls++;
            r.totalMs += p.end.elapsedMs(p.start);
            r.memDelta += p.memDelta;
            spare.push(p.start);
            spare.push(p.end);
        }
        pending.clear();
    }

    public synchronized void reset() {
        resolve();
        rows.clear();
    }

    /** Totals by op so far (waits for the GPU to finish the timed work). */
    public synchronized Map<String, Row> rows() {
        resolve();
        return new LinkedHashMap<>(rows);
    }

    /** The profile table: op, calls, total ms, mean us, share of GPU time, net memory change. */
    public synchronized String table() {
        resolve();
        return ProfileTable.format(device.name(), rows, device.memoryStats().toString()) + "\n" + ProfileTable.hostWaits(dpvm.kernels.HostWaits.byCaller())
                + "\nNVTX ranges: " + Nvtx.status();
    }
}

package dpvm.kernels.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Formats per-op totals as the {@code --profile} table, longest total first. */
public final class ProfileTable {
    private ProfileTable() {}

    public static String format(String device, Map<String, Profiler.Row> rows, String memory) {
        double all = 0;
        for (Profiler.Row r : rows.values()) all += r.totalMs;
        List<Map.Entry<String, Profiler.Row>> sorted = new ArrayList<>(rows.entrySet());
        sorted.sort((a, b) -> Double.compare(b.getValue().totalMs, a.getValue().totalMs));
        StringBuilder sb = new StringBuilder();
        sb.append("GPU profile of ").append(device).append('\n');
        sb.append(String.format("%-24s %8s %12s %12s %7s %14s%n", "op", "calls", "total ms", "mean us", "share", "mem delta MiB"));
        for (Map.Entry<String, Profiler.Row> e : sorted) {
            Profiler.Row r = e.getValue();
            sb.append(String.format("%-24s %8d %12.3f %12.1f %6.1f%% %14.1f%n", e.getKey(), r.calls, r.totalMs,
                    r.calls == 0 ? 0 : 1000 * r.totalMs / r.calls, all == 0 ? 0 : 100 * r.totalMs / all, r.memDelta / 1048576.0));
        }
        sb.append(String.format("%-24s %8s %12.3f%n", "total", "", all));
        sb.append("memory: ").append(memory);
        return sb.toString();
    }

    /** "host waits: N (caller n, ...)", the callers with the most waits first, at most five of them. */
    public static String hostWaits(Map<String, Long> byCaller) {
        long total = byCaller.values().stream().mapToLong(Long::longValue).sum();
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(byCaller.entrySet());
        sorted.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        StringBuilder sb = new StringBuilder("host waits for the GPU: ").append(total);
        for (int i = 0; i < Math.min(5, sorted.size()); i++) sb.append(i == 0 ? " (" : ", ").append(sorted.get(i).getKey()).append(' ').append(sorted.get(i).getValue());
        if (!sorted.isEmpty()) sb.append(sorted.size() > 5 ? ", ...)" : ")");
        return sb.toString();
    }
}

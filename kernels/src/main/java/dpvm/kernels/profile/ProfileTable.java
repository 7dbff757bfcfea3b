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
}

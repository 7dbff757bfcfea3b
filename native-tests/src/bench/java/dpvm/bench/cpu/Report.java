package dpvm.bench.cpu;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a JMH JSON result file into a Markdown table, engine and libtorch side by side.
 *
 * <p>Usage: {@code Report RESULT.json OUT.md MACHINE-LINE}. Prints the table and writes it to OUT.md. Run it with
 * the benchmarks' JVM flags, so that the GEMM kernel it names is the one the forks used.
 */
public final class Report {
    private Report() {}

    /**
     * One table row being filled: each side's median and fastest iteration, in ms per call. The median, not
     * the mean, because the machine may be shared: a burst of someone else's load spoils an iteration or two
     * without moving the median, and the fastest iteration bounds what the kernel can do.
     */
    private static final class Pair {
        final Row row;
        double engine = Double.NaN, engineBest, torch = Double.NaN, torchBest;

        Pair(Row row) {
            this.row = row;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: Report RESULT.json OUT.md MACHINE-LINE");
            System.exit(2);
        }
        Map<String, Pair> rows = read(Path.of(args[0]));
        String table = render(rows, args[2]);
        Files.writeString(Path.of(args[1]), table);
        System.out.print(table);
    }

    private static Map<String, Pair> read(Path json) throws IOException {
        JsonArray results;
        try (Reader r = Files.newBufferedReader(json)) {
            results = JsonParser.parseReader(r).getAsJsonArray();
        }
        Map<String, Pair> rows = new LinkedHashMap<>();
        for (JsonElement e : results) {
            JsonObject o = e.getAsJsonObject();
            String full = o.get("benchmark").getAsString();
            String method = full.substring(full.lastIndexOf('.') + 1);
            String cls = full.substring(0, full.lastIndexOf('.'));
            cls = cls.substring(cls.lastIndexOf('.') + 1);
            JsonObject params = o.has("params") ? o.getAsJsonObject("params") : null;
            String shape = params != null && params.has("shape") ? params.get("shape").getAsString() : "";
            JsonObject metric = o.getAsJsonObject("primaryMetric");
            if (!"ms/op".equals(metric.get("scoreUnit").getAsString())) {
                throw new IllegalStateException(full + ": expected ms/op, got " + metric.get("scoreUnit"));
            }
            Row row = Row.of(cls, shape);
            if (row == null) continue;
            Pair p = rows.computeIfAbsent(cls + "/" + shape, k -> new Pair(row));
            JsonObject percentiles = metric.getAsJsonObject("scorePercentiles");
            double median = percentiles.get("50.0").getAsDouble(), best = percentiles.get("0.0").getAsDouble();
            if (method.equals("engine")) {
                p.engine = median;
                p.engineBest = best;
            } else if (method.equals("libtorch")) {
                p.torch = median;
                p.torchBest = best;
            }
        }
        return rows;
    }

    private static String render(Map<String, Pair> rows, String machine) {
        StringBuilder sb = new StringBuilder();
        sb.append("CPU benchmarks, float32, 2 threads per side: ").append(machine)
                .append("; engine GEMM kernel ").append(dpvm.tensor.cpu.Gemm.kernelName()).append("\n\n");
        sb.append("| benchmark | unit | engine | libtorch | engine/libtorch | target |\n");
        sb.append("|---|---|---:|---:|---:|---|\n");
        java.util.List<Pair> sorted = new java.util.ArrayList<>(rows.values());
        sorted.sort((a, b) -> Row.ORDER.compare(a.row, b.row));
        for (Pair p : sorted) {
            Row r = p.row;
            double e = r.figure(p.engine), t = r.figure(p.torch);
            // Throughput rows: higher is better, ratio of rates. Time rows: ratio of times, lower is better.
            double ratio = e / t;
            String verdict = r.target().isEmpty() ? "" : r.target() + (met(r, ratio) ? " met" : " missed");
            // engine-only rows (the backbones) have no libtorch side
            String ratioCell = Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2fx", ratio);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", r.label(), r.unit(),
                    cell(r, p.engine, p.engineBest), cell(r, p.torch, p.torchBest), ratioCell, verdict));
        }
        sb.append("\nEach cell: the median of the measured iterations (the best iteration in brackets). Ratios compare"
                + " medians: throughput rows are engine/libtorch rates (higher is better); the MLP row is engine/libtorch"
                + " time (lower is better). Raw data: target/bench-cpu.json.\n");
        return sb.toString();
    }

    private static boolean met(Row r, double ratio) {
        double bound = Double.parseDouble(r.target().replaceAll("[^0-9.]", ""));
        return r.throughput() ? ratio >= bound : ratio <= bound;
    }

    private static String cell(Row r, double medianMs, double bestMs) {
        if (Double.isNaN(medianMs)) return "n/a";
        return String.format(Locale.ROOT, "%s (%s)", num(r.figure(medianMs)), num(r.figure(bestMs)));
    }

    /** Three significant digits at most, without a long tail of decimals. */
    private static String num(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }
}

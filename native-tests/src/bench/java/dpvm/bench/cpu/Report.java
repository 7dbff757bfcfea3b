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
 * <p>Usage: {@code Report RESULT.json OUT.md MACHINE-LINE}. Prints the table and writes it to OUT.md.
 */
public final class Report {
    private Report() {}

    /** One table row being filled: the two sides' mean ms per call and JMH's 99.9% error. */
    private static final class Pair {
        final Row row;
        double engine = Double.NaN, engineErr, torch = Double.NaN, torchErr;

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
            double score = metric.get("score").getAsDouble();
            double err = metric.get("scoreError").isJsonPrimitive() ? metric.get("scoreError").getAsDouble() : Double.NaN;
            if (method.equals("engine")) {
                p.engine = score;
                p.engineErr = err;
            } else if (method.equals("libtorch")) {
                p.torch = score;
                p.torchErr = err;
            }
        }
        return rows;
    }

    private static String render(Map<String, Pair> rows, String machine) {
        StringBuilder sb = new StringBuilder();
        sb.append("CPU benchmarks, float32, 2 threads per side: ").append(machine).append("\n\n");
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
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2fx | %s |%n", r.label(), r.unit(),
                    cell(r, p.engine, p.engineErr), cell(r, p.torch, p.torchErr), ratio, verdict));
        }
        sb.append("\nRatios: throughput rows are engine/libtorch rates (higher is better); the MLP row is engine/libtorch"
                + " time (lower is better). +- is JMH's 99.9% confidence half-width.\n");
        return sb.toString();
    }

    private static boolean met(Row r, double ratio) {
        double bound = Double.parseDouble(r.target().replaceAll("[^0-9.]", ""));
        return r.throughput() ? ratio >= bound : ratio <= bound;
    }

    /** The figure with its error carried through the same conversion (relative error is preserved). */
    private static String cell(Row r, double ms, double errMs) {
        if (Double.isNaN(ms)) return "n/a";
        double v = r.figure(ms);
        if (Double.isNaN(errMs)) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.1f +- %.1f", v, v * errMs / ms);
    }
}

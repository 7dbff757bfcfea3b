package dpvm.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A parsed manifest: the usable rows, every rejected row with its reason, file-level warnings (e.g.
 * an optional column that is missing), and how many rows were blank.
 */
public record Manifest(String source, List<ManifestRow> rows, List<RowProblem> rejected, List<String> warnings, int blankRows) {
    public Manifest {
        rows = List.copyOf(rows);
        rejected = List.copyOf(rejected);
        warnings = List.copyOf(warnings);
    }

    public Map<Polarity, Integer> labelCounts() {
        Map<Polarity, Integer> m = new EnumMap<>(Polarity.class);
        for (Polarity p : Polarity.values()) m.put(p, 0);
        for (ManifestRow r : rows) m.merge(r.polarity(), 1, Integer::sum);
        return m;
    }

    /** Emotion words by how often they occur, most frequent first, ties alphabetical. */
    public Map<String, Integer> emotionCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ManifestRow r : rows) for (String e : r.emotions()) counts.merge(e, 1, Integer::sum);
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** The validation report the import command prints. */
    public String report() {
        StringBuilder b = new StringBuilder();
        String nl = System.lineSeparator();
        b.append("manifest ").append(source).append(nl);
        b.append("usable rows: ").append(rows.size()).append(", rejected: ").append(rejected.size())
                .append(", blank: ").append(blankRows)
                .append(", movies: ").append(rows.stream().map(ManifestRow::movie).distinct().count()).append(nl);
        b.append("labels:");
        labelCounts().forEach((p, n) -> b.append(' ').append(p.label()).append('=').append(n));
        b.append(nl).append("emotion words (").append(emotionCounts().size()).append(" distinct):");
        emotionCounts().forEach((w, n) -> b.append(' ').append(w).append('=').append(n));
        b.append(nl);
        if (!rows.isEmpty()) {
            double lo = rows.stream().mapToDouble(r -> r.range().duration()).min().orElse(0);
            double hi = rows.stream().mapToDouble(r -> r.range().duration()).max().orElse(0);
            double mean = rows.stream().mapToDouble(r -> r.range().duration()).average().orElse(0);
            b.append(String.format("clip durations: %.2f s to %.2f s (mean %.2f s)%n", lo, hi, mean));
        }
        long noted = rows.stream().filter(r -> !r.notes().isEmpty()).count();
        if (noted > 0) b.append("rows normalised: ").append(noted).append(nl);
        for (String w : warnings) b.append("warning: ").append(w).append(nl);
        if (!rejected.isEmpty()) {
            b.append("rejected rows:").append(nl);
            for (RowProblem p : rejected) b.append("  ").append(p).append(nl);
        }
        return b.toString();
    }

    /** The notes of all rows, for a verbose listing. */
    public List<String> notes() {
        List<String> out = new ArrayList<>();
        for (ManifestRow r : rows) for (String n : r.notes()) out.add("row " + r.sourceRow() + ": " + n);
        return out;
    }
}

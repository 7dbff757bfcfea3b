package dpvm.media;

import java.util.List;

/**
 * What a batch produced: results in input order (null where an item failed; an empty list when the
 * results were only streamed to a sink) and every problem, fatal or not, in input order.
 */
public record BatchResult<R>(List<R> results, List<MediaProblem> problems, int succeeded, int failed) {

    public List<MediaProblem> failures() {
        return problems.stream().filter(MediaProblem::fatal).toList();
    }

    /** A few lines for a console: counts, then one line per problem. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(succeeded).append(" ok, ").append(failed).append(" failed");
        long warns = problems.stream().filter(p -> !p.fatal()).count();
        if (warns > 0) sb.append(", ").append(warns).append(" warnings");
        for (MediaProblem p : problems) sb.append(System.lineSeparator()).append("  ").append(p);
        return sb.toString();
    }
}

package dpvm.media;

import java.nio.file.Path;

/** One file that failed (or was degraded), with a message naming it: the unit of a batch summary. */
public record MediaProblem(Path file, ProblemKind kind, String detail, boolean fatal) {
    @Override
    public String toString() {
        return (fatal ? "ERROR " : "WARN  ") + file + ": " + kind.meaning() + (detail == null || detail.isBlank() ? "" : " (" + detail + ")");
    }
}

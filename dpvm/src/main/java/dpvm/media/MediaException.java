package dpvm.media;

import java.nio.file.Path;

/** A decode that cannot produce a usable result; carries the classified {@link MediaProblem}. */
public final class MediaException extends Exception {
    private final MediaProblem problem;

    public MediaException(Path file, ProblemKind kind, String detail, Throwable cause) {
        super(new MediaProblem(file, kind, detail, true).toString(), cause);
        this.problem = new MediaProblem(file, kind, detail, true);
    }

    public MediaException(Path file, ProblemKind kind, String detail) {
        this(file, kind, detail, null);
    }

    public MediaProblem problem() {
        return problem;
    }
}

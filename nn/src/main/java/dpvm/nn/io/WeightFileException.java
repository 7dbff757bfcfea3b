package dpvm.nn.io;

import java.nio.file.Path;

/**
 * A weight file could not be read or written: it is truncated, malformed, hostile, or unsupported.
 * Unchecked so that lazy accessors ({@link WeightFile#get}) can report a bad tensor without
 * forcing every caller to wrap a checked exception; the message always names the file.
 */
public class WeightFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    public WeightFileException(Path file, String problem) {
        this(file, problem, null);
    }

    public WeightFileException(Path file, String problem, Throwable cause) {
        super(file == null ? problem : file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file at fault (may be null for an in-memory source). */
    public Path file() {
        return file;
    }

    /** What is wrong, without the file name. */
    public String problem() {
        return problem;
    }
}

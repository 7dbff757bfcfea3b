package dpvm.nn.io;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Last line of defence at the public entry points: whatever a hostile file provokes, callers see
 * a {@link WeightFileException}. Input checks are meant to catch everything first; an exception
 * arriving here is a bug in this package, and the message says so while keeping the cause.
 */
final class ReadGuard {
    private ReadGuard() {
    }

    static <T> T guard(Path file, Supplier<T> body) {
        try {
            return body.get();
        } catch (WeightFileException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new WeightFileException(file, "internal error while reading (a bug in dpvm.nn.io, please report): " + e, e);
        }
    }
}

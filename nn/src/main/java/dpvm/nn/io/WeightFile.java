package dpvm.nn.io;

import java.util.Map;
import java.util.Set;

/**
 * A named collection of stored tensors, read lazily. Implementations only touch a tensor's bytes
 * when it is asked for, so opening a multi-gigabyte file is cheap.
 */
public interface WeightFile extends AutoCloseable {

    /** Tensor names in file order. */
    Set<String> names();

    /**
     * The tensor called {@code name}.
     *
     * @throws WeightFileException if the name is unknown, the file was closed, or its bytes are bad
     */
    StoredTensor get(String name);

    /** Free-form string metadata the file carries (may be empty, never null). */
    Map<String, String> metadata();

    default boolean contains(String name) {
        return names().contains(name);
    }

    /** Narrowed so callers need not catch {@link Exception}. */
    @Override
    void close();
}

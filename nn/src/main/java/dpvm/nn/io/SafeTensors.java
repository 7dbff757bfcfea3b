package dpvm.nn.io;

import java.nio.file.Path;
import java.util.Map;

/**
 * Entry point for the safetensors format: an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON describing each tensor's dtype, shape and byte range, then the raw data.
 */
public final class SafeTensors {

    /** One map covers the whole data section when it fits a single buffer. */
    static final long SINGLE_MAP_LIMIT = Integer.MAX_VALUE;

    private SafeTensors() {
    }

    /**
     * Opens {@code file} memory-mapped; only the header is read now, tensors are slices of the
     * map handed out by {@link WeightFile#get}.
     *
     * @throws WeightFileException if the file is unreadable, truncated or its header is invalid
     */
    public static WeightFile open(Path file) {
        return ReadGuard.guard(file, () -> SafeTensorsFile.open(file, SINGLE_MAP_LIMIT));
    }

    /** As {@link #open} but mapping each tensor separately when the data exceeds {@code limit}; for tests. */
    static WeightFile open(Path file, long singleMapLimit) {
        return ReadGuard.guard(file, () -> SafeTensorsFile.open(file, singleMapLimit));
    }

    /**
     * Writes {@code tensors} (keys are the stored names, in iteration order) and string metadata.
     * A crash never leaves a partial file under {@code file}: it is written beside it, synced and
     * renamed into place.
     *
     * @throws WeightFileException if writing fails or a name cannot be stored
     */
    public static void write(Path file, Map<String, StoredTensor> tensors, Map<String, String> metadata) {
        SafeTensorsWriter.write(file, tensors, metadata);
    }
}

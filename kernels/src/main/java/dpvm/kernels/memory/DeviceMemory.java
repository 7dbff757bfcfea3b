package dpvm.kernels.memory;

/**
 * The raw device calls the {@link CachingAllocator} needs, behind an interface so the allocator's policy is
 * unit-tested with a fake on machines without a GPU.
 */
public interface DeviceMemory {
    /** A fresh block of {@code bytes}, or 0 when the device is out of memory (other failures throw). */
    long malloc(long bytes);

    void free(long address);

    /** Waits for all queued work, so freed blocks are no longer read or written by any kernel. */
    void synchronize();

    /** {free, total} bytes of the device as the driver reports them. */
    long[] info();

    /** A marker at the current end of {@code stream}'s queued work (a CUDA event; null if it has no work left). */
    Object mark(Object stream);

    /** Whether the stream has run everything queued before the marker; never waits. */
    boolean passed(Object marker);

    /** Releases a marker that has passed. */
    void dropMark(Object marker);
}

package dpvm.kernels.memory;

/**
 * The device could not satisfy an allocation even after the cache was emptied. The figures are also readable
 * one by one, so callers can react (halve a batch, say) without parsing the message.
 */
public final class OutOfDeviceMemoryError extends RuntimeException {
    private final long requested, allocated, reserved, free, total;

    /**
     * @param requested bytes asked for (before rounding to a size class)
     * @param allocated bytes held by live blocks when the request failed
     * @param reserved  bytes taken from the device by the allocator (live blocks plus blocks it still caches)
     * @param free      free bytes the driver reported after the cache was emptied
     * @param total     the device's total bytes
     */
    public OutOfDeviceMemoryError(long requested, long allocated, long reserved, long free, long total) {
        super(String.format("CUDA out of memory: tried to allocate %s; %s allocated by live tensors, %s reserved by the allocator, %s free of %s on the device",
                figure(requested), figure(allocated), figure(reserved), figure(free), figure(total)));
        this.requested = requested;
        this.allocated = allocated;
        this.reserved = reserved;
        this.free = free;
        this.total = total;
    }

    /** "1.5 MiB (1572864 bytes)": readable, and exact for comparing with {@link MemoryStats}. */
    static String figure(long bytes) {
        return MemoryStats.mib(bytes) + " (" + bytes + " bytes)";
    }

    public long requested() {
        return requested;
    }

    public long allocated() {
        return allocated;
    }

    public long reserved() {
        return reserved;
    }

    public long free() {
        return free;
    }

    public long total() {
        return total;
    }
}

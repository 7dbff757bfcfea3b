package dpvm.kernels.memory;

/**
 * Allocator counters in bytes: {@code allocated} is held by live blocks (rounded to their size class),
 * {@code reserved} is everything taken from the device (allocated plus cached), the peaks are high-water marks
 * since start or the last {@link CachingAllocator#resetPeaks()}.
 */
public record MemoryStats(long allocated, long reserved, long peakAllocated, long peakReserved, long deviceMallocs,
                          long deviceFrees, long cacheHits) {
    public static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public String toString() {
        return "allocated " + mib(allocated) + ", reserved " + mib(reserved) + ", peak allocated " + mib(peakAllocated)
                + ", peak reserved " + mib(peakReserved) + ", cudaMalloc " + deviceMallocs + ", cudaFree " + deviceFrees
                + ", cache hits " + cacheHits;
    }
}

package dpvm.kernels.memory;

/**
 * Allocator counters in bytes. {@code allocated}: the size classes of the requests live blocks serve (a request
 * served by a somewhat larger cached block still counts its own class, so the figure depends only on which
 * tensors are alive). {@code reserved}: everything taken from the device. {@code cached}: blocks waiting in the
 * allocator's caches for reuse, graph pools included. reserved - allocated - cached is the unused tail of live
 * blocks larger than their request. The peaks are high-water marks since start or the last
 * {@link CachingAllocator#resetPeaks()}.
 */
public record MemoryStats(long allocated, long reserved, long cached, long peakAllocated, long peakReserved, long deviceMallocs,
                          long deviceFrees, long cacheHits) {
    public static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public String toString() {
        return "allocated " + mib(allocated) + ", reserved " + mib(reserved) + ", cached " + mib(cached) + ", peak allocated " + mib(peakAllocated)
                + ", peak reserved " + mib(peakReserved) + ", cudaMalloc " + deviceMallocs + ", cudaFree " + deviceFrees
                + ", cache hits " + cacheHits;
    }
}

package dpvm.kernels.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The allocator's policy against a fake device with a fixed capacity. */
class CachingAllocatorTest {
    /** Hands out increasing fake addresses until {@code capacity} bytes are live. */
    static final class FakeDevice implements DeviceMemory {
        final long capacity;
        long used, next = 0x1000, syncs;
        final Set<Long> live = new HashSet<>();
        final List<Long> sizes = new ArrayList<>();
        final java.util.Map<Long, Long> sizeOf = new java.util.HashMap<>();

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long malloc(long bytes) {
            if (used + bytes > capacity) return 0;
            long a = next;
            next += bytes + 4096;
            used += bytes;
            live.add(a);
            sizeOf.put(a, bytes);
            sizes.add(bytes);
            return a;
        }

        @Override
        public void free(long address) {
            if (!live.remove(address)) throw new AssertionError("double or foreign free of " + address);
            used -= sizeOf.remove(address);
        }

        @Override
        public void synchronize() {
            syncs++;
        }

        @Override
        public long[] info() {
            return new long[] {capacity - used, capacity};
        }
    }

    private static final Object S1 = "stream1", S2 = "stream2";

    @Test
    void sizeClasses() {
        assertEquals(512, CachingAllocator.roundUp(0));
        assertEquals(512, CachingAllocator.roundUp(1));
        assertEquals(1024, CachingAllocator.roundUp(513));
        assertEquals(1L << 20, CachingAllocator.roundUp(1L << 20));
        assertEquals(2L << 20, CachingAllocator.roundUp((1L << 20) + 1));
        assertEquals(4L << 20, CachingAllocator.roundUp((2L << 20) + 1));
    }

    @Test
    void freedBlocksAreReusedOnTheSameStreamOnly() {
        FakeDevice d = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(d);
        CachingAllocator.Block b = a.allocate(1000, S1);
        a.free(b);
        CachingAllocator.Block again = a.allocate(900, S1);
        assertEquals(b.address, again.address, "same size class on the same stream reuses the block");
        a.free(again);
        CachingAllocator.Block other = a.allocate(1000, S2);
        assertNotEquals(b.address, other.address, "another stream must not take a block whose last use may still run");
        MemoryStats s = a.stats();
        assertEquals(2, s.deviceMallocs());
        assertEquals(1, s.cacheHits());
        assertEquals(1024, s.allocated());
        assertEquals(2048, s.reserved());
    }

    @Test
    void oversizedCachedBlocksAreNotWasted() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1L << 34));
        CachingAllocator.Block big = a.allocate(64L << 20, S1);
        a.free(big);
        CachingAllocator.Block small = a.allocate(1000, S1);
        assertNotEquals(big.address, small.address, "a 64 MiB block must not serve a 1 KB request");
        CachingAllocator.Block near = a.allocate(60L << 20, S1);
        assertEquals(big.address, near.address, "a block within 1.25x + 2 MiB is reused");
    }

    @Test
    void statsTrackPeaksAndEmptyCacheReturnsMemory() {
        FakeDevice d = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(d);
        CachingAllocator.Block x = a.allocate(3L << 20, S1), y = a.allocate(5L << 20, S1);
        a.free(x);
        a.free(y);
        MemoryStats s = a.stats();
        assertEquals(0, s.allocated());
        assertEquals(10L << 20, s.reserved());
        assertEquals(10L << 20, s.peakAllocated());
        a.emptyCache();
        assertEquals(0, a.stats().reserved());
        assertEquals(0, d.used);
        assertTrue(d.syncs > 0, "freeing cached blocks waits for the device first");
        a.resetPeaks();
        assertEquals(0, a.stats().peakAllocated());
    }

    @Test
    void outOfMemoryFreesTheCacheAndRetriesOnceThenReports() {
        FakeDevice d = new FakeDevice(10L << 20);
        CachingAllocator a = new CachingAllocator(d);
        CachingAllocator.Block x = a.allocate(6L << 20, S1);
        a.free(x); // cached, but 6 MiB cannot serve an 8 MiB request
        CachingAllocator.Block y = a.allocate(8L << 20, S1);
        assertEquals(8L << 20, a.stats().reserved(), "the cache was emptied to make room");
        OutOfDeviceMemoryError e = assertThrows(OutOfDeviceMemoryError.class, () -> a.allocate(4L << 20, S1));
        String m = e.getMessage();
        assertTrue(m.contains("tried to allocate 4.0 MiB"), m);
        assertTrue(m.contains("8.0 MiB allocated"), m);
        assertTrue(m.contains("8.0 MiB reserved"), m);
        assertTrue(m.contains("2.0 MiB free of 10.0 MiB"), m);
        a.free(y);
    }

    @Test
    void graphPoolsKeepTheirBlocksUntilReleased() {
        FakeDevice d = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(d);
        int pool = a.beginPool();
        CachingAllocator.Block inGraph = a.allocate(4096, S1);
        CachingAllocator.Block output = a.allocate(4096, S1);
        a.free(inGraph); // freed during capture: reusable inside the capture only
        CachingAllocator.Block reused = a.allocate(4096, S1);
        assertEquals(inGraph.address, reused.address, "capture reuses its own freed blocks");
        a.free(reused);
        a.endPool();
        a.free(output); // freed after capture: the graph still writes it on replay
        CachingAllocator.Block outside = a.allocate(4096, S1);
        assertNotEquals(inGraph.address, outside.address, "graph memory must not serve ordinary tensors");
        assertNotEquals(output.address, outside.address, "graph memory must not serve ordinary tensors");
        a.free(outside);
        a.releasePool(pool);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) seen.add(a.allocate(4096, S1).address);
        assertTrue(seen.contains(inGraph.address) && seen.contains(output.address), "released pool blocks join the common cache");
        a.emptyCache();
    }

    @Test
    void emptyCacheLeavesLiveGraphPoolsAlone() {
        FakeDevice d = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(d);
        a.beginPool();
        CachingAllocator.Block b = a.allocate(4096, S1);
        a.endPool();
        a.free(b);
        a.emptyCache();
        assertTrue(d.live.contains(b.address), "a live graph may still replay into this block");
    }
}

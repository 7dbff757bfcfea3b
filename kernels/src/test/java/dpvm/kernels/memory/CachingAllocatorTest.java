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
        final List<String> calls = new ArrayList<>();
        final Set<Long> live = new HashSet<>();
        final List<Long> sizes = new ArrayList<>();
        final java.util.Map<Long, Long> sizeOf = new java.util.HashMap<>();

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long malloc(long bytes) {
            calls.add("malloc " + bytes);
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
            calls.add("free");
            if (!live.remove(address)) throw new AssertionError("double or foreign free of " + address);
            used -= sizeOf.remove(address);
        }

        /** Markers by stream: a marker passes when its stream is finished or the device synchronised. */
        final List<Object[]> marks = new ArrayList<>(); // {stream, passed?, dropped?}

        @Override
        public void synchronize() {
            calls.add("synchronize");
            syncs++;
            for (Object[] m : marks) m[1] = true;
        }

        void finish(Object stream) {
            for (Object[] m : marks) if (m[0] == stream) m[1] = true;
        }

        @Override
        public Object mark(Object stream) {
            calls.add("mark " + stream);
            Object[] m = {stream, false, false};
            marks.add(m);
            return m;
        }

        @Override
        public boolean passed(Object marker) {
            return (Boolean) ((Object[]) marker)[1];
        }

        @Override
        public void dropMark(Object marker) {
            Object[] m = (Object[]) marker;
            if (!(Boolean) m[1] || (Boolean) m[2]) throw new AssertionError("a marker dropped before it passed, or twice");
            m[2] = true;
        }

        @Override
        public long[] info() {
            return new long[] {capacity - used, capacity};
        }
    }

    private static final Object S1 = "stream1", S2 = "stream2", S3 = "stream3";

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
    void aRequestServedByALargerCachedBlockCountsItsOwnSizeClass() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1L << 30));
        CachingAllocator.Block big = a.allocate(2000, S1); // class 2048
        a.free(big);
        assertEquals(new MemoryStats(0, 2048, 2048, 2048, 2048, 1, 0, 0), a.stats());
        CachingAllocator.Block b = a.allocate(1500, S1); // class 1536, served by the cached 2048 block
        assertEquals(big.address, b.address);
        MemoryStats s = a.stats();
        assertEquals(1536, s.allocated(), "allocated follows the live requests, whichever cached block serves them");
        assertEquals(2048, s.reserved());
        assertEquals(0, s.cached());
        a.free(b);
        s = a.stats();
        assertEquals(0, s.allocated(), "closing returns exactly what was counted");
        assertEquals(2048, s.cached(), "the whole block is cached again");
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
        assertEquals(0, a.stats().cached());
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
        CachingAllocator.Block z = a.allocate(1000, S1);
        a.free(z); // one cached 1 KiB block, which the failing request must return to the device before retrying
        d.calls.clear();
        long mallocs = a.stats().deviceMallocs();
        OutOfDeviceMemoryError e = assertThrows(OutOfDeviceMemoryError.class, () -> a.allocate(3L << 20, S1));
        assertEquals(List.of("malloc 4194304", "synchronize", "free", "malloc 4194304"), d.calls,
                "one try, the cache emptied after waiting for the device, one retry, then the error");
        String m = e.getMessage();
        assertTrue(m.contains("tried to allocate 3.0 MiB (3145728 bytes)"), m);
        assertTrue(m.contains("8.0 MiB (8388608 bytes) allocated"), m);
        assertTrue(m.contains("8.0 MiB (8388608 bytes) reserved"), m);
        long free = (10L << 20) - (8L << 20);
        assertTrue(m.contains("2.0 MiB (" + free + " bytes) free of 10.0 MiB (10485760 bytes)"), m);
        assertEquals(3L << 20, e.requested());
        assertEquals(8L << 20, e.allocated());
        assertEquals(8L << 20, e.reserved(), "the cached 1 KiB block was returned before the figures were taken");
        assertEquals(free, e.free());
        assertEquals(10L << 20, e.total());
        MemoryStats after = a.stats();
        assertEquals(0, after.cached(), "nothing cached after the failure");
        assertEquals(mallocs, after.deviceMallocs(), "failed device allocations are not counted");
        a.free(y);
    }

    @Test
    void outOfMemoryWithAnEmptyCacheStillRetriesOnce() {
        FakeDevice d = new FakeDevice(1L << 20);
        CachingAllocator a = new CachingAllocator(d);
        assertThrows(OutOfDeviceMemoryError.class, () -> a.allocate(2L << 20, S1));
        assertEquals(List.of("malloc 2097152", "malloc 2097152"), d.calls, "nothing to free, so no wait; still one retry");
    }

    @Test
    void outOfMemoryDuringCaptureKeepsTheCacheAndDoesNotWaitForTheDevice() {
        FakeDevice d = new FakeDevice(4L << 20);
        CachingAllocator a = new CachingAllocator(d);
        a.free(a.allocate(2L << 20, S1)); // cached in the common pool
        a.beginPool();
        d.calls.clear();
        OutOfDeviceMemoryError e = assertThrows(OutOfDeviceMemoryError.class, () -> a.allocate(3L << 20, S1));
        assertEquals(List.of("malloc 4194304", "malloc 4194304"), d.calls, "no synchronize and no free while a graph is captured");
        assertEquals(2L << 20, e.reserved());
        assertThrows(IllegalStateException.class, a::emptyCache);
        a.endPool();
        a.emptyCache();
        assertEquals(0, a.stats().reserved());
    }

    @Test
    void aBlockFreedTwiceIsRefusedAndTheCountersStay() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1L << 30));
        CachingAllocator.Block b = a.allocate(4096, S1);
        a.free(b);
        MemoryStats before = a.stats();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.free(b));
        assertTrue(e.getMessage().contains("4096 bytes") && e.getMessage().contains("freed twice"), e.getMessage());
        assertEquals(before, a.stats());
        CachingAllocator.Block x = a.allocate(4096, S1), y = a.allocate(4096, S1);
        assertNotEquals(x.address, y.address, "the block sits in the cache once, so two live tensors never share it");
    }

    @Test
    void peaksFollowTheHighWaterMarkAcrossReuse() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1L << 30));
        CachingAllocator.Block x = a.allocate(1L << 20, S1), y = a.allocate(1L << 20, S1);
        a.free(x);
        a.free(y);
        a.resetPeaks();
        assertEquals(0, a.stats().peakAllocated());
        assertEquals(2L << 20, a.stats().peakReserved());
        CachingAllocator.Block p = a.allocate(1L << 20, S1), q = a.allocate(1L << 20, S1);
        assertEquals(2L << 20, a.stats().peakAllocated(), "cache hits raise the allocated peak too");
        assertEquals(2, a.stats().cacheHits());
        a.free(p);
        a.free(q);
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

    @Test
    void aBlockUsedOnOtherStreamsIsReusedOnlyAfterThosePassItsFree() {
        FakeDevice d = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(d);
        CachingAllocator.Block b = a.allocate(1000, S1);
        a.recordUse(b, S1); // its own stream: nothing to wait for
        a.recordUse(b, S2);
        a.recordUse(b, S3);
        a.recordUse(b, S2);
        a.free(b);
        assertEquals(List.of("malloc 1024", "mark stream2", "mark stream3"), d.calls, "one marker per other stream, taken at the free");
        MemoryStats s = a.stats();
        assertEquals(0, s.allocated());
        assertEquals(1024, s.cached(), "a pending block counts as cached");
        CachingAllocator.Block early = a.allocate(1000, S1);
        assertNotEquals(b.address, early.address, "stream2 and stream3 may still read the block");
        d.finish(S2);
        CachingAllocator.Block half = a.allocate(1000, S1);
        assertNotEquals(b.address, half.address, "stream3 may still read the block");
        d.finish(S3);
        CachingAllocator.Block late = a.allocate(1000, S1);
        assertEquals(b.address, late.address, "both passed: the block is cached on its own stream again");
        assertTrue(d.marks.stream().allMatch(m -> (Boolean) m[2]), "both markers released");
        // the next life of the block starts with no recorded uses
        a.free(late);
        assertEquals(b.address, a.allocate(1000, S1).address);
        assertEquals(2, d.marks.size());
    }

    @Test
    void emptyCacheWaitsForPendingFreesAndReturnsThem() {
        FakeDevice d = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(d);
        CachingAllocator.Block b = a.allocate(4096, S1);
        a.recordUse(b, S2);
        a.free(b);
        a.emptyCache();
        assertTrue(d.live.isEmpty(), "the pending block was freed after synchronising");
        assertEquals(new MemoryStats(0, 0, 0, 4096, 4096, 1, 1, 0), a.stats());
    }

    @Test
    void usesAfterTheFreeAreNotRecorded() {
        FakeDevice d = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(d);
        CachingAllocator.Block b = a.allocate(4096, S1);
        a.free(b);
        a.recordUse(b, S2); // a stale handle: the block is the cache's now
        assertEquals(b.address, a.allocate(4096, S1).address);
        assertTrue(d.marks.isEmpty());
    }
}

package dpvm.kernels.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Device memory reuse without calling cudaMalloc/cudaFree on every tensor (both synchronise the device).
 *
 * <ul>
 * <li>Size classes: requests up to 1 MiB round up to 512 B, larger ones to 2 MiB, so slightly different sizes
 *     share blocks. A cached block serves a request if it is at most 2x (small) or 1.25x + 2 MiB (large) the
 *     rounded size, bounding waste.</li>
 * <li>Stream-ordered reuse: a freed block goes to the cache of the stream it was allocated on and is handed out
 *     again only on that stream. Work queued later on the same stream runs after the work that used it, so no
 *     event or synchronisation is needed.</li>
 * <li>Uses on other streams ({@link #recordUse}): a block that work on other streams used is cached only once
 *     each of those streams has passed a marker recorded when the block was freed (a CUDA event), so a tensor
 *     made on a loader stream and read on the compute stream can be closed as soon as its reading work is
 *     queued.</li>
 * <li>Out of memory: synchronise, free every cached block, retry once; then fail with the requested,
 *     allocated, reserved, free and total byte counts. During graph capture the cache stays (waiting for the
 *     device would break the capture); the retry still happens.</li>
 * <li>A block freed twice is refused, so it can never sit in the cache twice and serve two tensors.</li>
 * <li>Private pools for CUDA graphs: while a pool is active, new blocks belong to it, and blocks of a live pool
 *     return to that pool's cache when freed, even after capture, because a graph replays with the addresses it
 *     captured. Releasing the pool (when the graph is closed) moves its cached blocks to the common cache.</li>
 * </ul>
 * Thread-safe (storages may be freed by the Cleaner thread).
 */
public final class CachingAllocator {
    static final long SMALL_LIMIT = 1L << 20;
    static final long SMALL_ROUND = 512;
    static final long LARGE_ROUND = 2L << 20;

    /** A block handed out by the allocator; {@code size} is the block's own size, at least the request's size class. */
    public static final class Block {
        public final long address;
        public final long size;
        // the size class of the request the block serves now: a cached block up to 2x (small) or 1.25x + 2 MiB
        // (large) that class may serve it, and counting the request's class keeps allocated a function of the
        // live tensors alone, not of which cached block happened to be free
        long used;
        final Object stream;
        final int pool;
        // handed out and not yet freed (guarded by the allocator's lock): a second free of the same block would
        // put it in the cache twice, hand it to two tensors at once and drive the counters off
        boolean live;
        // streams other than its own that work using it was queued on since it was handed out (allocator's lock)
        List<Object> usedOn;

        Block(long address, long size, Object stream, int pool) {
            this.address = address;
            this.size = size;
            this.stream = stream;
            this.pool = pool;
        }

        /** Whether the block was handed out for work on {@code s} (it may be used there without recording). */
        public boolean allocatedOn(Object s) {
            return stream == s;
        }
    }

    private record CacheKey(int pool, Object stream) {}

    /** A freed block waiting for the other streams that used it to pass the markers recorded at the free. */
    private record PendingFree(Block block, List<Object> marks) {}

    private final DeviceMemory device;
    private final Map<CacheKey, TreeMap<Long, ArrayDeque<Block>>> cache = new HashMap<>();
    private final Map<Integer, Boolean> livePools = new HashMap<>();
    private final List<PendingFree> pendingFrees = new ArrayList<>();
    private int activePool;
    private int nextPool = 1;
    private long allocated, reserved, cached, peakAllocated, peakReserved, mallocs, frees, hits;

    public CachingAllocator(DeviceMemory device) {
        this.device = device;
    }

    /** The size class of a request. */
    public static long roundUp(long bytes) {
        long b = Math.max(1, bytes);
        long unit = b <= SMALL_LIMIT ? SMALL_ROUND : LARGE_ROUND;
        return (b + unit - 1) / unit * unit;
    }

    static boolean fits(long blockSize, long want) {
        if (blockSize < want) return false;
        return want <= SMALL_LIMIT ? blockSize <= 2 * want : blockSize <= want + want / 4 + LARGE_ROUND;
    }

    public synchronized Block allocate(long bytes, Object stream) {
        if (!pendingFrees.isEmpty()) cachePassed();
        long size = roundUp(bytes);
        Block b = takeCached(new CacheKey(activePool, stream), size);
        if (b != null) {
            hits++;
        } else {
            long address = device.malloc(size);
            if (address == 0) {
                // while a graph is captured the device cannot be waited for (that would break the capture), so
                // cached blocks cannot be freed safely: retry as is
                if (activePool == 0) releaseCached(false);
                address = device.malloc(size);
                if (address == 0) throw outOfMemory(bytes);
            }
            mallocs++;
            reserved += size;
            peakReserved = Math.max(peakReserved, reserved);
            b = new Block(address, size, stream, activePool);
        }
        b.live = true;
        b.used = size;
        allocated += size;
        peakAllocated = Math.max(peakAllocated, allocated);
        return b;
    }

    private Block takeCached(CacheKey key, long size) {
        TreeMap<Long, ArrayDeque<Block>> bySize = cache.get(key);
        if (bySize == null) return null;
        Map.Entry<Long, ArrayDeque<Block>> e = bySize.ceilingEntry(size);
        if (e == null || !fits(e.getKey(), size)) return null;
        Block b = e.getValue().pop();
        if (e.getValue().isEmpty()) bySize.remove(e.getKey());
        cached -= b.size;
        return b;
    }

    /**
     * Notes that work using {@code b} is being queued on {@code stream}; when that is not the stream it was
     * allocated on, the block is not reused after its free until that stream has passed the free.
     */
    public synchronized void recordUse(Block b, Object stream) {
        if (!b.live || stream == b.stream) return;
        if (b.usedOn == null) b.usedOn = new ArrayList<>(2);
        if (!b.usedOn.contains(stream)) b.usedOn.add(stream);
    }

    /**
     * Returns a block to its stream's cache (or its graph pool's, while that pool lives); a block used on other
     * streams first waits, counted as cached, until they pass a marker recorded now.
     */
    public synchronized void free(Block b) {
        if (!b.live) throw new IllegalStateException(String.format("block of %d bytes at 0x%x freed twice (or never handed out by this allocator)", b.size, b.address));
        b.live = false;
        allocated -= b.used;
        cached += b.size;
        if (b.usedOn != null) {
            List<Object> marks = new ArrayList<>(b.usedOn.size());
            for (Object s : b.usedOn) marks.add(device.mark(s));
            b.usedOn = null;
            pendingFrees.add(new PendingFree(b, marks));
            return;
        }
        toCache(b);
    }

    private void toCache(Block b) {
        int pool = livePools.containsKey(b.pool) ? b.pool : 0;
        cache.computeIfAbsent(new CacheKey(pool, b.stream), k -> new TreeMap<>())
                .computeIfAbsent(b.size, k -> new ArrayDeque<>()).push(b);
    }

    /** Caches the pending frees whose other streams have passed their markers. */
    private void cachePassed() {
        pendingFrees.removeIf(p -> {
            for (Object m : p.marks) if (!device.passed(m)) return false;
            p.marks.forEach(device::dropMark);
            toCache(p.block);
            return true;
        });
    }

    /** Frees every cached block of the common cache back to the device (graph pools keep theirs). */
    public synchronized void emptyCache() {
        if (activePool != 0) throw new IllegalStateException("emptyCache during CUDA graph capture: freeing cached blocks would wait for the device being captured");
        releaseCached(false);
    }

    private void releaseCached(boolean includePools) {
        if (!pendingFrees.isEmpty()) {
            device.synchronize(); // every stream passes its markers
            cachePassed();
        }
        List<Block> victims = new ArrayList<>();
        cache.entrySet().removeIf(e -> {
            if (e.getKey().pool != 0 && !includePools) return false;
            e.getValue().values().forEach(victims::addAll);
            return true;
        });
        if (victims.isEmpty()) return;
        device.synchronize();
        for (Block b : victims) {
            device.free(b.address);
            frees++;
            reserved -= b.size;
            cached -= b.size;
        }
    }

    /** Starts routing new allocations to a fresh private pool (graph capture); returns its id. */
    public synchronized int beginPool() {
        int id = nextPool++;
        livePools.put(id, true);
        activePool = id;
        return id;
    }

    /** Stops routing new allocations to the active pool; its blocks stay private until {@link #releasePool}. */
    public synchronized void endPool() {
        activePool = 0;
    }

    /** The pool's graph is gone: its cached blocks join the common cache, and so do its blocks freed later. */
    public synchronized void releasePool(int id) {
        livePools.remove(id);
        if (activePool == id) activePool = 0;
        List<CacheKey> keys = new ArrayList<>();
        for (CacheKey k : cache.keySet()) if (k.pool == id) keys.add(k);
        for (CacheKey k : keys) {
            TreeMap<Long, ArrayDeque<Block>> from = cache.remove(k);
            TreeMap<Long, ArrayDeque<Block>> to = cache.computeIfAbsent(new CacheKey(0, k.stream), x -> new TreeMap<>());
            from.forEach((size, q) -> to.computeIfAbsent(size, x -> new ArrayDeque<>()).addAll(q));
        }
    }

    public synchronized MemoryStats stats() {
        return new MemoryStats(allocated, reserved, cached, peakAllocated, peakReserved, mallocs, frees, hits);
    }

    public synchronized void resetPeaks() {
        peakAllocated = allocated;
        peakReserved = reserved;
    }

    private OutOfDeviceMemoryError outOfMemory(long requested) {
        long[] info = device.info();
        return new OutOfDeviceMemoryError(requested, allocated, reserved, info[0], info[1]);
    }
}

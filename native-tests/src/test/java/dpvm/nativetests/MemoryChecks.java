package dpvm.nativetests;

import dpvm.kernels.CudaDevice;
import dpvm.kernels.CudaGraph;
import dpvm.kernels.memory.CachingAllocator;
import dpvm.kernels.memory.CudaMemory;
import dpvm.kernels.memory.DeviceMemory;
import dpvm.kernels.memory.MemoryStats;
import dpvm.kernels.memory.OutOfDeviceMemoryError;
import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.nn.layers.Activation;
import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Conv2d;
import dpvm.nn.layers.Flatten;
import dpvm.nn.layers.Linear;
import dpvm.nn.layers.MaxPool;
import dpvm.nn.loss.CrossEntropyLoss;
import dpvm.nn.optim.Adam;
import dpvm.tensor.Autograd;
import dpvm.tensor.Backends;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Scope;
import dpvm.tensor.Tensor;
import org.bytedeco.cuda.global.cudart;
import org.junit.jupiter.api.Test;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Device memory over time: closing a tensor or a scope returns its blocks at once, an allocation larger than
 * the device fails with the allocator's figures and leaves the device usable, and thousands of training steps
 * (eager, and replayed from a captured CUDA graph) hold allocated memory exactly flat without new cudaMalloc
 * calls. Skipped without a GPU; {@link ParitySuite} runs it with the op tests.
 *
 * <p>The allocator's counters are per device and this class shares the JVM with the other parity tests, whose
 * unclosed tensors the Cleaner frees whenever the garbage collector finds them. Exact comparisons are therefore
 * taken after {@link #quiesce}: a full collection, then waiting until the Cleaner has nothing left to free.
 *
 * <p>Step count: {@code -Ddpvm.soak.steps} (default 2000, "thousands" on a GPU). The emulated build sets it
 * lower in the {@code cuda-emu} execution of native-tests/pom.xml, because the emulator runs every kernel on
 * the CPU and a step takes milliseconds there instead of microseconds.
 */
class MemoryChecks extends GpuChecks {
    static final int STEPS = Integer.getInteger("dpvm.soak.steps", 2000);
    static final int MIN_STEPS = 40;
    /** -Ddpvm.soak.gcEvery=N: a full collection inside every Nth eager step, between backward and the update, to show that backward's temporaries collected mid-step change nothing. */
    static final int GC_EVERY = Integer.getInteger("dpvm.soak.gcEvery", 0);
    /** Steps before the first comparison: cuDNN algorithm choice, Adam's moments and the first gradients settle. */
    static final int WARMUP = 10;
    static final int BATCH = 16, CLASSES = 10, BATCHES = 4;

    // ---------------------------------------------------------------- deterministic release

    @Test
    void closingTheLastViewReturnsTheTensorsSizeClassAtOnce() {
        CudaDevice d = CudaDevice.get(0);
        int n = 300_001; // 1,200,004 bytes: a size class (2 MiB) larger than the bytes, so the two cannot be confused
        long sizeClass = CachingAllocator.roundUp(4L * n);
        assertNotEquals(4L * n, sizeClass);
        MemoryStats s0 = quiesce(d);
        Tensor t = Tensor.zeros(new int[] {n}, DType.FLOAT32, GPU);
        MemoryStats made = d.memoryStats();
        assertEquals(sizeClass, made.allocated() - s0.allocated(), "a new tensor holds one block of its size class: " + made);
        Tensor view = t.slice(0, 1, n, 2);
        t.close();
        assertEquals(made.allocated(), d.memoryStats().allocated(), "a view still uses the storage, so closing the tensor alone frees nothing");
        view.close();
        MemoryStats closed = d.memoryStats();
        assertEquals(s0.allocated(), closed.allocated(), "closing the last view returns the block at once: " + closed);
        assertEquals(made.reserved(), closed.reserved(), "the block stays cached for reuse, not given back to the device");
        Tensor again = Tensor.empty(new int[] {n - 1000}, DType.FLOAT32, GPU);
        assertEquals(made.deviceMallocs(), d.memoryStats().deviceMallocs(), "a tensor of the same size class reuses the cached block");
        again.close();
    }

    @Test
    void closingAScopeReleasesEverythingMadeInIt() {
        CudaDevice d = CudaDevice.get(0);
        Tensor w = new Rng(3).uniform(new int[] {64, 32}, DType.FLOAT32, Device.CPU).to(GPU).requiresGrad(true);
        float[] xs = new Rng(4).uniform(new int[] {128, 64}, DType.FLOAT32, Device.CPU).toFloatArray();
        d.blas(); // made once per device with its workspace, which would otherwise count as the scope's
        MemoryStats s0 = quiesce(d);
        List<Tensor> made = new ArrayList<>(); // held here, so none of them is left to the garbage collector
        Tensor kept;
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(xs, 128, 64).to(GPU);
            Tensor h = x.matmul(w).relu();
            Tensor loss = h.pow(2).mean();
            loss.backward();
            Tensor inference = Autograd.noGrad(() -> h.mul(2).sum());
            kept = scope.keep(h.sum(1, false));
            made.addAll(List.of(x, h, loss, inference));
            assertTrue(d.memoryStats().allocated() > s0.allocated() + 3 * CachingAllocator.roundUp(128 * 32 * 4), "the step's tensors are live inside the scope");
        }
        for (Tensor t : made) assertTrue(t.isClosed(), "closed by the scope: a tensor of shape " + java.util.Arrays.toString(t.shape()));
        assertTrue(!kept.isClosed(), "a kept tensor outlives the scope");
        // what remains: the kept row sums and the weight's gradient (a leaf's gradient belongs to the leaf);
        // backward's temporaries are held weakly by the scope, so one collected during the step is freed by the
        // Cleaner a moment later instead of at close: wait for that
        long expect = s0.allocated() + CachingAllocator.roundUp(128 * 4) + CachingAllocator.roundUp(64 * 32 * 4);
        assertEquals(expect, awaitAllocated(d, expect).allocated(), "after the scope closed only the kept tensor and the gradient remain");
        kept.close();
        w.zeroGrad();
        w.close();
        assertEquals(s0.allocated() - CachingAllocator.roundUp(64 * 32 * 4), d.memoryStats().allocated(),
                "closing the kept tensor, the gradient and the weight returns their blocks at once");
    }

    // ---------------------------------------------------------------- out of memory

    /** Records every device call of the allocator, passing them on to the real CUDA runtime. */
    static final class LoggedMemory implements DeviceMemory {
        final DeviceMemory real = new CudaMemory();
        final List<String> calls = new ArrayList<>();

        @Override
        public long malloc(long bytes) {
            long a = real.malloc(bytes);
            calls.add("malloc " + bytes + (a == 0 ? " failed" : ""));
            return a;
        }

        @Override
        public void free(long address) {
            calls.add("free");
            real.free(address);
        }

        @Override
        public void synchronize() {
            calls.add("synchronize");
            real.synchronize();
        }

        @Override
        public long[] info() {
            return real.info();
        }

        @Override
        public Object mark(Object stream) {
            calls.add("mark");
            return real.mark(stream);
        }

        @Override
        public boolean passed(Object marker) {
            return real.passed(marker);
        }

        @Override
        public void dropMark(Object marker) {
            real.dropMark(marker);
        }
    }

    /** More than the whole device (1 GiB beyond its total), so the request fails on any GPU and on the emulator. */
    private static long moreThanTheDevice() {
        return new CudaMemory().info()[1] + (1L << 30);
    }

    @Test
    void aFailedCudaMallocEmptiesTheCacheAndIsRetriedOnce() {
        CudaDevice d = CudaDevice.get(0);
        d.activate();
        LoggedMemory log = new LoggedMemory();
        CachingAllocator a = new CachingAllocator(log);
        a.free(a.allocate(4096, d.stream())); // one cached block
        long request = moreThanTheDevice();
        cudart.cudaGetLastError(); // start from a clean error state
        assertThrows(OutOfDeviceMemoryError.class, () -> a.allocate(request, d.stream()));
        long rounded = CachingAllocator.roundUp(request);
        assertEquals(List.of("malloc 4096", "malloc " + rounded + " failed", "synchronize", "free", "malloc " + rounded + " failed"), log.calls,
                "cudaMalloc fails, the allocator waits for the device, frees its cached block, tries once more, then gives up");
        assertEquals(cudart.cudaSuccess, cudart.cudaGetLastError(), "the handled cudaMalloc failure is not left pending for a later check to trip over");
        MemoryStats s = a.stats();
        assertEquals(0, s.reserved(), "nothing of this allocator is left on the device: " + s);
        assertEquals(1, s.deviceMallocs());
        assertEquals(1, s.deviceFrees());
    }

    @Test
    void outOfMemoryReportsTheFiguresAndLeavesTheDeviceUsable() {
        CudaDevice d = CudaDevice.get(0);
        Tensor cachedBlock = Tensor.empty(new int[] {1 << 20}, DType.FLOAT32, GPU);
        cachedBlock.close(); // 4 MiB back in the cache, which the failing request must return to the device
        MemoryStats before = d.memoryStats();
        assertTrue(before.cached() >= 4L << 20, before.toString());
        long total = new CudaMemory().info()[1], request = total + (1L << 30);
        cudart.cudaGetLastError();
        OutOfDeviceMemoryError e = assertThrows(OutOfDeviceMemoryError.class, () -> d.allocator().allocate(request, d.stream()));
        MemoryStats after = d.memoryStats();
        String m = e.getMessage();
        assertEquals(request, e.requested());
        assertEquals(total, e.total());
        assertTrue(e.free() < request && e.free() <= e.total(), m);
        assertEquals(after.reserved(), e.reserved(), "the error's reserved figure is the allocator's: " + m);
        // frees by the Cleaner only move blocks into the cache; only the emptying returns them to the device
        assertTrue(after.reserved() <= before.reserved() - before.cached(), "every cached block was returned to the device before giving up: before " + before + ", after " + after);
        assertTrue(after.deviceFrees() > before.deviceFrees(), "cached blocks went back through cudaFree");
        assertEquals(before.deviceMallocs(), after.deviceMallocs(), "the failed request took nothing from the device");
        for (String figure : new String[] {"tried to allocate", "allocated", "reserved", "free of"}) assertTrue(m.contains(figure), "message names '" + figure + "': " + m);
        for (long bytes : new long[] {e.requested(), e.allocated(), e.reserved(), e.free(), e.total()}) {
            assertTrue(m.contains("(" + bytes + " bytes)"), "message gives " + bytes + " bytes exactly: " + m);
        }
        assertEquals(cudart.cudaSuccess, cudart.cudaGetLastError(), "no CUDA error is left pending after the handled failure");
        System.out.println("OOM " + GPU + ": " + m);

        // the device goes on working: a fresh allocation (the cache is empty, so it calls cudaMalloc) and an op
        Tensor cpu = new Rng(9).uniform(new int[] {1 << 16}, DType.FLOAT32, Device.CPU);
        try (Tensor x = cpu.to(GPU); Tensor y = x.mul(3).add(1)) {
            assertArrayEquals(cpu.mul(3).add(1).toFloatArray(), y.toFloatArray(), "x * 3 + 1 after the failed allocation");
        }
    }

    // ---------------------------------------------------------------- soaks

    /** A small conv net: convolution, batch norm (running statistics updated in place), pooling, linear. */
    private static Module convNet() {
        Rng rng = new Rng(21);
        return new Sequential(new Conv2d(1, 4, 3, 1, 1, true, rng), BatchNorm.of2d(4), Activation.relu(), MaxPool.of2d(2, 2, 0),
                new Flatten(), new Linear(4 * 4 * 4, 32, true, rng), Activation.gelu(), new Linear(32, CLASSES, true, rng)).to(GPU);
    }

    /** A few fixed batches, cycled, so the net can fit them and the loss shows the steps do real work. */
    private record Batches(float[][] x, long[][] y) {
        static Batches make() {
            Rng rng = new Rng(22);
            float[][] x = new float[BATCHES][];
            long[][] y = new long[BATCHES][];
            for (int b = 0; b < BATCHES; b++) {
                x[b] = rng.normal(new int[] {BATCH, 1, 8, 8}, DType.FLOAT32, Device.CPU).toFloatArray();
                y[b] = new long[BATCH];
                for (int i = 0; i < BATCH; i++) y[b][i] = (i * 7 + b * 3) % CLASSES;
            }
            return new Batches(x, y);
        }

        Tensor x(int step) {
            return Tensor.of(x[step % BATCHES], BATCH, 1, 8, 8);
        }

        Tensor y(int step) {
            return Tensor.ofLongs(y[step % BATCHES], BATCH);
        }
    }

    private static void checkStepCount() {
        if (STEPS < MIN_STEPS) throw new IllegalArgumentException("-Ddpvm.soak.steps=" + STEPS + " is too few: a soak needs at least " + MIN_STEPS + " steps to show a trend after its warm-up");
    }

    @Test
    void eagerTrainingStepsKeepAllocatedMemoryFlat() {
        checkStepCount();
        CudaDevice d = CudaDevice.get(0);
        Module net = convNet();
        Adam adam = Adam.of(net.parameters(), 1e-3);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        Batches data = Batches.make();
        MemoryStats base = null;
        long requestsBefore = 0, perStep = -1, gcSeen = 0, halfwayPeak = 0;
        int waited = 0;
        double firstLosses = 0, lastLosses = 0;
        long t0 = 0;
        for (int step = 1; step <= STEPS; step++) {
            double loss;
            try (Scope s = Scope.open()) {
                Tensor l = lossFn.apply(net.forward(data.x(step).to(GPU)), data.y(step).to(GPU));
                adam.zeroGrad();
                l.backward();
                if (GC_EVERY > 0 && step % GC_EVERY == 0) System.gc();
                adam.step();
                loss = l.item();
            }
            if (step <= BATCHES) firstLosses += loss;
            if (step > STEPS - BATCHES) lastLosses += loss;
            if (step < WARMUP) continue;
            if (step == WARMUP) {
                base = quiesce(d);
                d.allocator().resetPeaks(); // from here the peak is the steps' own high-water mark
                requestsBefore = base.deviceMallocs() + base.cacheHits();
                gcSeen = gcCount();
                t0 = System.nanoTime();
                continue;
            }
            MemoryStats s = d.memoryStats();
            if (s.allocated() != base.allocated()) {
                // backward's temporaries are held weakly by the step's scope: one the garbage collector took during
                // the step is freed by the Cleaner thread, a moment after the scope closed. Without a collection
                // since the last step nothing can be pending, and any difference is a tensor the step leaked.
                if (gcCount() == gcSeen) {
                    fail(String.format("step %d: allocated %d B, but %d B after step %d, and no garbage collection ran: a tensor of the step was not released when its scope closed (%s)",
                            step, s.allocated(), base.allocated(), WARMUP, s));
                }
                s = awaitAllocated(d, base.allocated());
                waited++;
                assertEquals(base.allocated(), s.allocated(), "step " + step + ": allocated memory after the Cleaner ran");
            }
            gcSeen = gcCount();
            assertEquals(base.reserved(), s.reserved(), "step " + step + ": reserved memory grew after step " + WARMUP + ": " + s);
            assertEquals(base.deviceMallocs(), s.deviceMallocs(), "step " + step + ": cudaMalloc was called after step " + WARMUP + " (the cache did not serve the step): " + s);
            long requests = s.deviceMallocs() + s.cacheHits();
            if (perStep < 0) perStep = requests - requestsBefore;
            assertEquals(perStep, requests - requestsBefore, "step " + step + ": a different number of allocations than the step before");
            requestsBefore = requests;
            if (step == STEPS / 2) halfwayPeak = s.peakAllocated();
        }
        double ms = (System.nanoTime() - t0) / 1e6 / Math.max(1, STEPS - WARMUP);
        MemoryStats end = d.memoryStats();
        // a step freed early by a collection peaks lower, never higher, so after half the run the peak is the step's
        assertEquals(halfwayPeak, end.peakAllocated(), "the peak within a step grew in the second half of the run: " + end);
        assertTrue(lastLosses < firstLosses, "the loss falls over " + STEPS + " steps: mean " + firstLosses / BATCHES + " -> " + lastLosses / BATCHES);
        System.out.printf("SOAK %s: %d steps, allocated %d B flat from step %d (peak within a step %d B), reserved %d B, mallocs %d, cache hits %d (%d per step)%s, %.2f ms/step, loss %.3f -> %.3f%n",
                GPU, STEPS, base.allocated(), WARMUP, end.peakAllocated(), end.reserved(), end.deviceMallocs(), end.cacheHits(), perStep,
                waited == 0 ? "" : ", " + waited + " step(s) settled by the Cleaner", ms, firstLosses / BATCHES, lastLosses / BATCHES);
    }

    @Test
    void replayedGraphStepsKeepMemoryFlat() {
        checkStepCount();
        CudaDevice d = CudaDevice.get(0);
        Module net = convNet();
        Adam adam = Adam.of(net.parameters(), 1e-3);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        Batches data = Batches.make();
        // a graph replays fixed addresses: inputs are copied into these before each replay, the loss out of the step
        Tensor x = data.x(0).to(GPU), y = data.y(0).to(GPU), lossOut = Tensor.zeros(new int[0], DType.FLOAT32, GPU);
        // Adam's step count (bias correction) is a kernel argument, so replays repeat the captured one; memory
        // behaves the same
        Runnable step = () -> {
            try (Scope s = Scope.open()) {
                Tensor l = lossFn.apply(net.forward(x), y);
                adam.zeroGrad();
                l.backward();
                adam.step();
                Backends.of(GPU).copyInto(lossOut, l);
            }
        };
        for (int i = 0; i < 2; i++) step.run(); // compiles kernels and picks cuDNN algorithms outside capture
        try (CudaGraph graph = CudaGraph.capture(GPU, step)) {
            double firstLosses = 0, lastLosses = 0;
            MemoryStats base = null;
            long t0 = 0;
            for (int r = 1; r <= STEPS; r++) {
                Backends.of(GPU).upload(x.storage(), x.offset(), data.x[r % BATCHES]);
                Backends.of(GPU).upload(y.storage(), y.offset(), data.y[r % BATCHES]);
                graph.replay();
                // reading the loss allocates a little, so only around the measured stretch
                if (r <= BATCHES) firstLosses += lossOut.item();
                if (r == BATCHES) {
                    base = quiesce(d);
                    t0 = System.nanoTime();
                }
                if (r > BATCHES && r <= STEPS - BATCHES) {
                    // a replay runs the captured kernels on the captured addresses: the allocator is not even asked
                    assertEquals(base, d.memoryStats(), "replay " + r + ": the allocator's counters moved");
                }
                if (r > STEPS - BATCHES) lastLosses += lossOut.item();
            }
            double ms = (System.nanoTime() - t0) / 1e6 / Math.max(1, STEPS - 2 * BATCHES);
            assertTrue(lastLosses < firstLosses, "the loss falls over " + STEPS + " replays: mean " + firstLosses / BATCHES + " -> " + lastLosses / BATCHES);
            System.out.printf("SOAK %s graph: %d replays, allocated %d B, reserved %d B, mallocs %d, cache hits %d, all unchanged from replay %d to %d, %.2f ms/replay, loss %.3f -> %.3f%n",
                    GPU, STEPS, base.allocated(), base.reserved(), base.deviceMallocs(), base.cacheHits(), BATCHES, STEPS - BATCHES, ms,
                    firstLosses / BATCHES, lastLosses / BATCHES);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, b.getCollectionCount());
        return n;
    }

    /**
     * The counters once nothing is left for the Cleaner: a full collection finds every unreachable tensor of
     * earlier tests, then the allocated bytes must hold still for a few polls.
     */
    static MemoryStats quiesce(CudaDevice d) {
        long deadline = System.nanoTime() + 20_000_000_000L, before;
        // repeated until a collection frees nothing more: an object reachable only from another collected one
        // (a tensor captured by a dead lambda's owner, say) may need a second cycle
        do {
            before = d.memoryStats().allocated();
            System.gc();
            long last = -1;
            int still = 0;
            while (still < 5 && System.nanoTime() < deadline) {
                sleep(20);
                long now = d.memoryStats().allocated();
                still = now == last ? still + 1 : 0;
                last = now;
            }
        } while (d.memoryStats().allocated() != before && System.nanoTime() < deadline);
        return d.memoryStats();
    }

    /** The counters once allocated memory reaches {@code expected}, or after 10 s (the caller compares). */
    static MemoryStats awaitAllocated(CudaDevice d, long expected) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        MemoryStats s = d.memoryStats();
        while (s.allocated() != expected && System.nanoTime() < deadline) {
            sleep(1);
            s = d.memoryStats();
        }
        return s;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Cleaner", e);
        }
    }
}

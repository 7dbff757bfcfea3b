package dpvm.kernels;

import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.global.cudart;

/**
 * Captures the GPU work of a step once and replays it with one launch, which removes the per-kernel launch and
 * dispatch cost that dominates small-batch training.
 *
 * <pre>{@code
 * step.run();                                  // warm up: compiles kernels, picks cuDNN algorithms, fills caches
 * try (CudaGraph g = CudaGraph.capture(device, step)) {
 *     for (int i = 0; i < 1000; i++) { copyNextBatchInto(x); g.replay(); }
 * }
 * }</pre>
 *
 * Rules, as for any CUDA graph: the step must do the same work every time on the same tensors (replays read
 * and write the addresses captured, so feed inputs by copying into tensors made before capture and read
 * outputs from tensors that stay open); nothing in it may wait for the GPU (no item(), no host copies, no
 * printing of tensors). Index kernels in it check their indices on every replay, and a bad one is thrown at the
 * next wait for the GPU after the replay, as for eager ops ({@link IndexChecks}). Memory the step allocates comes
 * from a private pool of the caching allocator that stays reserved for the graph until {@link #close()}.
 * Run the step once before capturing so kernels are compiled and library handles exist.
 */
public final class CudaGraph implements AutoCloseable {
    private final CudaDevice device;
    private final CUgraph_st graph;
    private final CUgraphExec_st exec;
    private final int pool;
    private final IndexChecks.Slots indexSlots;
    private boolean closed;

    private CudaGraph(CudaDevice device, CUgraph_st graph, CUgraphExec_st exec, int pool, IndexChecks.Slots indexSlots) {
        this.device = device;
        this.graph = graph;
        this.exec = exec;
        this.pool = pool;
        this.indexSlots = indexSlots;
    }

    /** Records {@code step}'s work on the device's current stream into a graph, without running it. */
    public static CudaGraph capture(dpvm.tensor.Device device, Runnable step) {
        CudaDevice d = CudaDevice.get(device.index());
        d.activate();
        d.kernels().loadAll();
        d.synchronize();
        IndexChecks.Slots slots = d.indexChecks().beginCapture();
        int pool = d.allocator().beginPool();
        CUgraph_st graph = new CUgraph_st();
        Cuda.check(cudart.cudaStreamBeginCapture(d.rawStream(), cudart.cudaStreamCaptureModeRelaxed), "cudaStreamBeginCapture");
        d.setCapturing(true);
        RuntimeException failure = null;
        try {
            step.run();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            d.setCapturing(false);
            int err = cudart.cudaStreamEndCapture(d.rawStream(), graph);
            d.allocator().endPool();
            d.indexChecks().endCapture();
            if (failure == null) Cuda.check(err, "cudaStreamEndCapture");
        }
        if (failure != null) {
            d.allocator().releasePool(pool);
            d.indexChecks().release(slots);
            throw failure;
        }
        CUgraphExec_st exec = new CUgraphExec_st();
        Cuda.check(cudart.cudaGraphInstantiate(exec, graph, 0L), "cudaGraphInstantiate");
        return new CudaGraph(d, graph, exec, pool, slots);
    }

    /** Queues one run of the captured work on the device's current stream (asynchronous). */
    public void replay() {
        if (closed) throw new IllegalStateException("CUDA graph was closed");
        device.activate();
        Cuda.check(cudart.cudaGraphLaunch(exec, device.rawStream()), "cudaGraphLaunch");
        device.indexChecks().replayed(indexSlots);
    }

    /**
     * Waits for queued replays, frees the graph, and returns its private memory pool to the allocator; throws for
     * a bad index met by a replay not yet reported (after freeing everything).
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            device.synchronize();
        } finally {
            cudart.cudaGraphExecDestroy(exec);
            cudart.cudaGraphDestroy(graph);
            device.allocator().releasePool(pool);
            device.indexChecks().release(indexSlots);
        }
    }
}

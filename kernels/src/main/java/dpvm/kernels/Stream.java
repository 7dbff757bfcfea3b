package dpvm.kernels;

import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;

/**
 * A CUDA stream of one device. Work on one stream runs in order; two streams may overlap. Make the backend
 * queue on a stream with {@link CudaDevice#useStream}, order streams with {@link Event#record} and
 * {@link #waitFor}. A tensor's memory goes back to the cache of the stream it was allocated on and is reused only
 * there, and only after the other streams whose work used it have passed its free (see
 * {@link dpvm.kernels.memory.CachingAllocator}), so a tensor may be closed as soon as the work reading it is queued.
 */
public final class Stream implements AutoCloseable {
    private final CudaDevice device;
    private final CUstream_st raw;
    private volatile boolean closed;

    private Stream(CudaDevice device, CUstream_st raw) {
        this.device = device;
        this.raw = raw;
    }

    /** A new non-blocking stream on the device (it does not wait for the legacy default stream). */
    public static Stream create(CudaDevice device) {
        device.activate();
        CUstream_st s = new CUstream_st();
        Cuda.check(cudart.cudaStreamCreateWithFlags(s, cudart.cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        return new Stream(device, s);
    }

    public CUstream_st raw() {
        return raw;
    }

    public CudaDevice device() {
        return device;
    }

    /**
     * Blocks until everything queued so far has run; surfaces asynchronous kernel errors, which belong to some
     * earlier op ({@code -Ddpvm.cuda.syncEachOp=true} names it).
     */
    public void synchronize() {
        HostWaits.note("cudaStreamSynchronize");
        int e = cudart.cudaStreamSynchronize(raw);
        Cuda.check(e, OpSync.kernelFault(e) && !OpSync.enabled()
                ? "cudaStreamSynchronize (a kernel queued earlier failed; -Ddpvm.cuda.syncEachOp=true names the op it belongs to)"
                : "cudaStreamSynchronize");
    }

    /** Work queued on this stream after this call waits until {@code e} has completed. */
    public void waitFor(Event e) {
        Cuda.check(cudart.cudaStreamWaitEvent(raw, e.raw(), 0), "cudaStreamWaitEvent");
    }

    /** Whether {@link #close()} ran: the stream's work is done and its handle is gone. */
    public boolean isClosed() {
        return closed;
    }

    /** Waits for the stream's work, then destroys it (memory that work used needs no further wait). */
    @Override
    public void close() {
        if (closed) return;
        synchronize();
        closed = true;
        Cuda.check(cudart.cudaStreamDestroy(raw), "cudaStreamDestroy");
    }
}

package dpvm.kernels;

import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;

/** A CUDA event: a point in a stream's work, for timing ({@link #elapsedMs}) and ordering streams. */
public final class Event implements AutoCloseable {
    private final CUevent_st raw;

    public Event() {
        raw = new CUevent_st();
        Cuda.check(cudart.cudaEventCreate(raw), "cudaEventCreate");
    }

    public CUevent_st raw() {
        return raw;
    }

    /** Marks the current end of {@code stream}'s queued work. */
    public Event record(Stream stream) {
        Cuda.check(cudart.cudaEventRecord(raw, stream.raw()), "cudaEventRecord");
        return this;
    }

    /** Whether the work before the event's last record has run (true for an event never recorded); never waits. */
    public boolean isComplete() {
        int e = cudart.cudaEventQuery(raw);
        if (e == cudart.cudaErrorNotReady) return false;
        Cuda.check(e, "cudaEventQuery");
        return true;
    }

    public void synchronize() {
        HostWaits.note("cudaEventSynchronize");
        Cuda.check(cudart.cudaEventSynchronize(raw), "cudaEventSynchronize");
    }

    /** GPU milliseconds from {@code start} to this event (both recorded and completed). */
    public float elapsedMs(Event start) {
        float[] ms = new float[1];
        Cuda.check(cudart.cudaEventElapsedTime(ms, start.raw, raw), "cudaEventElapsedTime");
        return ms[0];
    }

    @Override
    public void close() {
        cudart.cudaEventDestroy(raw);
    }
}

package dpvm.kernels.memory;

import dpvm.kernels.Cuda;
import dpvm.kernels.Event;
import dpvm.kernels.HostWaits;
import dpvm.kernels.Stream;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

/** {@link DeviceMemory} on the current CUDA device through cudaMalloc and cudaFree. */
public final class CudaMemory implements DeviceMemory {
    @Override
    public long malloc(long bytes) {
        Pointer p = new Pointer();
        int err = cudart.cudaMalloc(p, bytes);
        if (err == cudart.cudaErrorMemoryAllocation) {
            cudart.cudaGetLastError(); // clears the sticky-free error so the retry starts clean
            return 0;
        }
        Cuda.check(err, "cudaMalloc(" + bytes + ")");
        return p.address();
    }

    @Override
    public void free(long address) {
        Cuda.check(cudart.cudaFree(Cuda.at(address)), "cudaFree");
    }

    @Override
    public void synchronize() {
        HostWaits.note("cudaDeviceSynchronize");
        Cuda.check(cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    /**
     * An event at the stream's end, or null where nothing can be pending: a closed stream (closing waited for it),
     * or the stream a graph is being captured on (capture began by waiting for it, and uses inside a capture are
     * not recorded). May run on the Cleaner's thread, so it makes the stream's device current first.
     */
    @Override
    public Object mark(Object stream) {
        Stream s = (Stream) stream;
        if (s.isClosed() || (s.device().capturing() && s == s.device().stream())) return null;
        s.device().activate();
        return new Event().record(s);
    }

    @Override
    public boolean passed(Object marker) {
        return marker == null || ((Event) marker).isComplete();
    }

    @Override
    public void dropMark(Object marker) {
        if (marker != null) ((Event) marker).close();
    }

    @Override
    public long[] info() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            Cuda.check(cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return new long[] {free.get(), total.get()};
        }
    }
}

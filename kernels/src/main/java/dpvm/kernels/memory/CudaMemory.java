package dpvm.kernels.memory;

import dpvm.kernels.Cuda;
import dpvm.kernels.Event;
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
        Cuda.check(cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    /** An event at the stream's end; null for a closed stream, whose work was waited for when it closed. */
    @Override
    public Object mark(Object stream) {
        Stream s = (Stream) stream;
        return s.isClosed() ? null : new Event().record(s);
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

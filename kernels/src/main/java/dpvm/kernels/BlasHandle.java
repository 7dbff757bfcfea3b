package dpvm.kernels;

import dpvm.kernels.memory.CachingAllocator;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.global.cublas;

/**
 * The device's cuBLAS handle, bound to the backend's stream, with a workspace from the caching allocator so
 * cuBLAS never allocates by itself (which graph capture would not allow).
 */
public final class BlasHandle {
    private static final long WORKSPACE = 32L << 20;
    private final cublasContext handle = new cublasContext();
    private final CachingAllocator.Block workspace;

    BlasHandle(CudaDevice device) {
        CudaLibraries.require(CudaLibraries.Binding.CUBLAS);
        device.activate();
        check(cublas.cublasCreate_v2(handle), "cublasCreate");
        workspace = device.allocator().allocate(WORKSPACE, device.stream());
        bind(device.stream());
    }

    /** Binds the handle to a stream. Setting the stream resets cuBLAS's workspace to its own pool, so ours is set again after. */
    void bind(Stream s) {
        check(cublas.cublasSetStream_v2(handle, s.raw()), "cublasSetStream");
        check(cublas.cublasSetWorkspace_v2(handle, Cuda.at(workspace.address), workspace.size), "cublasSetWorkspace");
    }

    public cublasContext raw() {
        return handle;
    }

    public static void check(int status, String call) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call + " failed: " + cublas.cublasGetStatusString(status).getString() + " (" + status + ")");
        }
    }
}

package dpvm.kernels;

import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.global.cudnn;

/** The device's cuDNN handle, bound to the backend's stream. */
public final class DnnHandle {
    private final cudnnContext handle = new cudnnContext();

    DnnHandle(CudaDevice device) {
        CudaLibraries.require(CudaLibraries.Binding.CUDNN);
        device.activate();
        check(cudnn.cudnnCreate(handle), "cudnnCreate");
        bind(device.stream());
    }

    void bind(Stream s) {
        check(cudnn.cudnnSetStream(handle, s.raw()), "cudnnSetStream");
    }

    public cudnnContext raw() {
        return handle;
    }

    public static void check(int status, String call) {
        if (status != cudnn.CUDNN_STATUS_SUCCESS) {
            throw new CudaException(call + " failed: " + cudnn.cudnnGetErrorString(status).getString() + " (" + status + ")");
        }
    }
}

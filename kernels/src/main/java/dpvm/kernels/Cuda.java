package dpvm.kernels;

import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;

/** Error checks and raw device pointers for the JavaCPP bindings. */
public final class Cuda {
    private Cuda() {}

    /** A JavaCPP pointer at a raw device address (no ownership, no deallocator). */
    public static final class DevicePointer extends Pointer {
        public DevicePointer(long address) {
            this.address = address;
        }
    }

    public static Pointer at(long address) {
        return new DevicePointer(address);
    }

    /** Throws when a runtime-API call failed, naming the call and the error. */
    public static void check(int error, String call) {
        if (error != cudart.cudaSuccess) {
            throw new CudaException(call + " failed: " + cudart.cudaGetErrorName(error).getString() + " (" + error + "): "
                    + cudart.cudaGetErrorString(error).getString());
        }
    }

    /** Throws when a driver-API call failed. */
    public static void checkDriver(int error, String call) {
        if (error != cudart.CUDA_SUCCESS) {
            org.bytedeco.javacpp.BytePointer name = new org.bytedeco.javacpp.BytePointer();
            cudart.cuGetErrorName(error, name);
            throw new CudaException(call + " failed: " + (name.isNull() ? "CUresult " + error : name.getString()) + " (" + error + ")");
        }
    }
}

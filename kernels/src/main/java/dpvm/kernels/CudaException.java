package dpvm.kernels;

/** A CUDA, cuBLAS, cuDNN or NVRTC call returned an error; the message names the call and the error. */
public class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }
}

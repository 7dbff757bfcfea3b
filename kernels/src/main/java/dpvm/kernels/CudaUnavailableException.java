package dpvm.kernels;

/** CUDA cannot be used on this machine; the message names what is missing (driver, GPU or library). */
public final class CudaUnavailableException extends IllegalStateException {
    public CudaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

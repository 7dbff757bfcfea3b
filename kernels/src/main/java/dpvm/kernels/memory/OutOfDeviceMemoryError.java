package dpvm.kernels.memory;

/** The device could not satisfy an allocation even after the cache was emptied. */
public final class OutOfDeviceMemoryError extends RuntimeException {
    public OutOfDeviceMemoryError(String message) {
        super(message);
    }
}

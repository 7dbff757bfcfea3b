package dpvm.kernels;

import dpvm.kernels.memory.CachingAllocator;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Storage;

/** Device memory for a tensor: a block of the caching allocator, returned to it when the last view closes. */
public final class CudaStorage extends Storage {
    private final CudaDevice cuda;
    private final CachingAllocator.Block block;

    CudaStorage(DType dtype, int size, Device device, CudaDevice cuda, CachingAllocator.Block block) {
        super(dtype, size, device, freer(cuda.allocator(), block));
        this.cuda = cuda;
        this.block = block;
    }

    // A static factory so the lambda cannot capture the storage (the Cleaner would never run).
    private static Freer freer(CachingAllocator allocator, CachingAllocator.Block block) {
        return () -> allocator.free(block);
    }

    /**
     * The device address, for work about to be queued on the device's current stream: a use on another stream
     * than the one the memory was allocated on is recorded, so the memory is not reused before that stream has
     * passed its free ({@link CachingAllocator#recordUse}). Uses inside a graph capture are not recorded.
     */
    public long address() {
        Stream s = cuda.stream();
        if (!block.allocatedOn(s) && !cuda.capturing()) cuda.allocator().recordUse(block, s);
        return block.address;
    }
}

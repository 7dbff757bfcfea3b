package dpvm.kernels;

import dpvm.kernels.memory.CachingAllocator;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Storage;

/** Device memory for a tensor: a block of the caching allocator, returned to it when the last view closes. */
public final class CudaStorage extends Storage {
    private final long address;

    CudaStorage(DType dtype, int size, Device device, CachingAllocator allocator, CachingAllocator.Block block) {
        super(dtype, size, device, freer(allocator, block));
        this.address = block.address;
    }

    // A static factory so the lambda cannot capture the storage (the Cleaner would never run).
    private static Freer freer(CachingAllocator allocator, CachingAllocator.Block block) {
        return () -> allocator.free(block);
    }

    public long address() {
        return address;
    }
}

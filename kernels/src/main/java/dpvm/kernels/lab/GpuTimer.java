package dpvm.kernels.lab;

import dpvm.kernels.Cuda;
import dpvm.kernels.CudaDevice;
import dpvm.kernels.Event;
import dpvm.kernels.memory.CachingAllocator;
import org.bytedeco.cuda.global.cudart;

import java.util.Arrays;

/**
 * Times GPU work for the kernel lab: warm-up runs first (compiles, algorithm choice, caches), then each
 * repeat between two events on the device's stream, with L2 flushed before it (a memset over twice the L2
 * size) so no repeat reads the previous one's data from cache, and the median reported.
 */
public final class GpuTimer implements AutoCloseable {
    private final CudaDevice device;
    private final CachingAllocator.Block flush;
    private final long flushBytes;

    public GpuTimer(CudaDevice device) {
        this.device = device;
        this.flushBytes = Math.max(2L * device.l2Bytes(), 8L << 20);
        this.flush = device.allocator().allocate(flushBytes, device.stream());
    }

    /** Median milliseconds of {@code repeats} runs after {@code warmup} untimed ones. */
    public double medianMs(int warmup, int repeats, Runnable work) {
        device.activate();
        for (int i = 0; i < warmup; i++) work.run();
        double[] ms = new double[repeats];
        try (Event start = new Event(); Event end = new Event()) {
            for (int i = 0; i < repeats; i++) {
                Cuda.check(cudart.cudaMemsetAsync(Cuda.at(flush.address), i & 0xff, flushBytes, device.rawStream()), "cudaMemsetAsync(L2 flush)");
                start.record(device.stream());
                work.run();
                end.record(device.stream());
                end.synchronize();
                ms[i] = end.elapsedMs(start);
            }
        }
        Arrays.sort(ms);
        return repeats % 2 == 1 ? ms[repeats / 2] : (ms[repeats / 2 - 1] + ms[repeats / 2]) / 2;
    }

    /** Device-to-device copy rate in GB/s (bytes read plus written) for buffers of {@code bytes}. */
    public double copyRateGBs(long bytes, int warmup, int repeats) {
        CachingAllocator.Block a = device.allocator().allocate(bytes, device.stream()), b = device.allocator().allocate(bytes, device.stream());
        try {
            double ms = medianMs(warmup, repeats, () -> Cuda.check(cudart.cudaMemcpyAsync(Cuda.at(b.address), Cuda.at(a.address), bytes,
                    cudart.cudaMemcpyDeviceToDevice, device.rawStream()), "cudaMemcpyAsync"));
            return 2.0 * bytes / (ms * 1e6);
        } finally {
            device.allocator().free(a);
            device.allocator().free(b);
        }
    }

    @Override
    public void close() {
        device.allocator().free(flush);
    }
}

package dpvm.kernels;

import dpvm.kernels.memory.CachingAllocator;
import dpvm.kernels.memory.CudaMemory;
import dpvm.kernels.memory.MemoryStats;
import dpvm.kernels.profile.Profiler;
import dpvm.kernels.runtime.Kernels;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One GPU as the backend sees it: its stream, caching allocator, compiled kernels, vendor-library handles and
 * profiler. Made on first use of {@code cuda:N}; everything inside is created lazily too. All backend work is
 * queued on {@link #stream()} (a non-blocking stream, so it never waits on the legacy default stream).
 */
public final class CudaDevice {
    private static final Map<Integer, CudaDevice> DEVICES = new ConcurrentHashMap<>();
    private static final ThreadLocal<Integer> CURRENT = ThreadLocal.withInitial(() -> -1);

    private final int index;
    private final int arch, multiprocessors, threadsPerMultiprocessor, l2Bytes;
    private final String name;
    private final CudaMemory memory;
    private final CachingAllocator allocator;
    private final Kernels kernels;
    private final Stream defaultStream;
    private volatile Stream stream;
    private volatile boolean capturing;
    private final Profiler profiler = new Profiler(this);
    private volatile BlasHandle blas;
    private volatile DnnHandle dnn;
    private final IndexChecks indexChecks;

    private CudaDevice(int index) {
        this.index = index;
        activate();
        int[] v = new int[1];
        Cuda.check(cudart.cudaDeviceGetAttribute(v, cudart.cudaDevAttrComputeCapabilityMajor, index), "cudaDeviceGetAttribute");
        int major = v[0];
        Cuda.check(cudart.cudaDeviceGetAttribute(v, cudart.cudaDevAttrComputeCapabilityMinor, index), "cudaDeviceGetAttribute");
        arch = major * 10 + v[0];
        Cuda.check(cudart.cudaDeviceGetAttribute(v, cudart.cudaDevAttrMultiProcessorCount, index), "cudaDeviceGetAttribute");
        multiprocessors = v[0];
        Cuda.check(cudart.cudaDeviceGetAttribute(v, cudart.cudaDevAttrMaxThreadsPerMultiProcessor, index), "cudaDeviceGetAttribute");
        threadsPerMultiprocessor = v[0];
        Cuda.check(cudart.cudaDeviceGetAttribute(v, cudart.cudaDevAttrL2CacheSize, index), "cudaDeviceGetAttribute");
        l2Bytes = v[0];
        name = "cuda:" + index + " " + productName(index) + " (sm_" + arch + ", " + multiprocessors + " SMs)";
        memory = new CudaMemory();
        allocator = new CachingAllocator(memory);
        kernels = new Kernels(arch);
        defaultStream = Stream.create(this);
        stream = defaultStream;
        indexChecks = new IndexChecks(this);
    }

    /** The driver's name for the GPU, e.g. "NVIDIA H100 80GB HBM3" ("cuda-emu (CPU emulation)" under the emulator). */
    private static String productName(int index) {
        Cuda.checkDriver(cudart.cuInit(0), "cuInit");
        int[] handle = new int[1];
        Cuda.checkDriver(cudart.cuDeviceGet(handle, index), "cuDeviceGet");
        byte[] text = new byte[256];
        Cuda.checkDriver(cudart.cuDeviceGetName(text, text.length, handle[0]), "cuDeviceGetName");
        int n = 0;
        while (n < text.length && text[n] != 0) n++;
        return new String(text, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The device, probing the driver and GPU on first use; throws {@link CudaUnavailableException} if unusable. */
    public static CudaDevice get(int index) {
        CudaDevice d = DEVICES.get(index);
        if (d != null) return d;
        synchronized (DEVICES) {
            d = DEVICES.get(index);
            if (d == null) {
                probe(index);
                d = new CudaDevice(index);
                DEVICES.put(index, d);
            }
            return d;
        }
    }

    /** Whether {@code cuda:index} can be used here, and if not, why (null when it can). */
    public static String unavailableReason(int index) {
        try {
            get(index);
            return null;
        } catch (CudaUnavailableException e) {
            return e.getMessage();
        }
    }

    /** How many GPUs the driver offers; throws {@link CudaUnavailableException} where there is no usable one. */
    public static int count() {
        CudaLibraries.require(CudaLibraries.Binding.RUNTIME);
        int[] count = new int[1];
        int err = cudart.cudaGetDeviceCount(count);
        if (err != cudart.cudaSuccess) {
            throw new CudaUnavailableException("CUDA unavailable: no usable GPU (cudaGetDeviceCount: "
                    + cudart.cudaGetErrorName(err).getString() + ": " + cudart.cudaGetErrorString(err).getString() + ")", null);
        }
        return count[0];
    }

    private static void probe(int index) {
        int count = count();
        if (index >= count) {
            throw new CudaUnavailableException("CUDA unavailable: cuda:" + index + " requested but " + count + " GPU(s) found", null);
        }
    }

    /** Makes this device current on the calling thread (cheap when it already is). */
    public void activate() {
        if (CURRENT.get() != index) {
            Cuda.check(cudart.cudaSetDevice(index), "cudaSetDevice(" + index + ")");
            CURRENT.set(index);
        }
    }

    public int index() {
        return index;
    }

    /** Compute capability as major*10+minor (90 for Hopper). */
    public int arch() {
        return arch;
    }

    public int multiprocessors() {
        return multiprocessors;
    }

    /** The most threads one multiprocessor keeps resident (2048 on an H100): full occupancy. */
    public int threadsPerMultiprocessor() {
        return threadsPerMultiprocessor;
    }

    public int l2Bytes() {
        return l2Bytes;
    }

    public String name() {
        return name;
    }

    public CachingAllocator allocator() {
        return allocator;
    }

    public MemoryStats memoryStats() {
        return allocator.stats();
    }

    /** {free, total} bytes of device memory as the driver sees them (the allocator's cache counts as used). */
    public long[] freeAndTotalBytes() {
        activate();
        return memory.info();
    }

    /** Frees the allocator's cached blocks back to the device. */
    public void emptyCache() {
        activate();
        allocator.emptyCache();
    }

    public Kernels kernels() {
        return kernels;
    }

    public Profiler profiler() {
        return profiler;
    }

    /** The stream backend work is queued on now. */
    public Stream stream() {
        return stream;
    }

    public CUstream_st rawStream() {
        return stream.raw();
    }

    /** Queues backend work on {@code s} until the returned previous stream is restored with this method. */
    public Stream useStream(Stream s) {
        Stream prev = stream;
        stream = s == null ? defaultStream : s;
        if (blas != null) blas.bind(stream);
        if (dnn != null) dnn.bind(stream);
        return prev;
    }

    /** Waits for the current stream's work; throws for a bad index an earlier op met (see {@link IndexChecks}). */
    public void synchronize() {
        activate();
        stream.synchronize();
        indexChecks.report();
    }

    public boolean capturing() {
        return capturing;
    }

    void setCapturing(boolean c) {
        capturing = c;
    }

    public BlasHandle blas() {
        if (blas == null) {
            synchronized (this) {
                if (blas == null) blas = new BlasHandle(this);
            }
        }
        return blas;
    }

    public DnnHandle dnn() {
        if (dnn == null) {
            synchronized (this) {
                if (dnn == null) dnn = new DnnHandle(this);
            }
        }
        return dnn;
    }

    /** Where index kernels report bad indices, and when the host reads them. */
    IndexChecks indexChecks() {
        return indexChecks;
    }
}

package dpvm.bench.cpu;

/**
 * JVM flags for every forked benchmark JVM, as annotation constants. Both sides get the same two intra-op
 * threads: the engine's pool through {@code dpvm.threads}, libtorch through DJL's {@code num_threads}.
 */
final class Jvm {
    private Jvm() {}

    /** The engine's GEMM runs on the incubating Vector API; without it the scalar fallback would be measured. */
    static final String VECTOR = "--add-modules=jdk.incubator.vector";
    static final String ENGINE_THREADS = "-Ddpvm.threads=2";
    static final String TORCH_THREADS = "-Dai.djl.pytorch.num_threads=2";
    static final String TORCH_INTEROP = "-Dai.djl.pytorch.num_interop_threads=1";
    /** conv3d holds ~0.5 GiB of activations and gradients per side. */
    static final String HEAP = "-Xmx6g";
}

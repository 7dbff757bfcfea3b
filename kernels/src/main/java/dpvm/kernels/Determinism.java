package dpvm.kernels;

/**
 * Whether GPU results must be the same bits on every run. Most kernels are deterministic by construction
 * (reductions combine partials in a fixed order, pooling gradients gather instead of scattering, cuBLAS is
 * reproducible on one GPU model); two kinds of work are not by default, because the deterministic way costs
 * more:
 * <ul>
 * <li>index_add and scatter_add (the gradients of index_select, embedding and gather) add repeated indices with
 * atomics, in whatever order threads arrive. Required determinism switches them to the {@code sorted} and
 * {@code gather} variants, which sum in ascending source position, the CPU backend's order, so the result is
 * bit-identical to it (at a cost that grows with the number of indices: see docs/cuda.md).</li>
 * <li>cuDNN may rank a convolution algorithm that accumulates with atomics first (some backward-data and
 * backward-filter algorithms). Required determinism takes the best-ranked algorithm cuDNN reports as
 * deterministic.</li>
 * </ul>
 * Set with {@link #require} or {@code -Ddpvm.cuda.deterministic=true}; read at each dispatch, and convolution
 * plans are kept per setting. The CPU backend is deterministic in every case.
 */
public final class Determinism {
    private static volatile boolean required = Boolean.getBoolean("dpvm.cuda.deterministic");

    private Determinism() {}

    public static boolean required() {
        return required;
    }

    /** Requires (or stops requiring) deterministic kernels; returns the previous setting. */
    public static boolean require(boolean on) {
        boolean before = required;
        required = on;
        return before;
    }
}

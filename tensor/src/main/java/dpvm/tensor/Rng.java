package dpvm.tensor;

/**
 * A seeded stream of random tensors. Each fill takes the next unused Philox counters, so the numbers depend only
 * on the seed and the order of fills — not on the device or the thread count.
 */
public final class Rng {
    private static volatile Rng global = new Rng(0x5EED);

    private final long seed;
    private long offset;

    public Rng(long seed) {
        this.seed = seed;
    }

    /** The generator used where none is passed (dropout, initialisers). */
    public static Rng global() {
        return global;
    }

    public static void manualSeed(long seed) {
        global = new Rng(seed);
    }

    public long seed() {
        return seed;
    }

    public synchronized long offset() {
        return offset;
    }

    /** Reserves the counters of a fill of n numbers and returns the first (fused ops draw them inline). */
    synchronized long take(Backend.Distribution d, int n) {
        long at = offset;
        offset += Philox.blocksUsed(d, n);
        return at;
    }

    public Tensor uniform(int[] shape, DType dtype, Device device) {
        return fill(shape, dtype, device, Backend.Distribution.UNIFORM);
    }

    public Tensor normal(int[] shape, DType dtype, Device device) {
        return fill(shape, dtype, device, Backend.Distribution.NORMAL);
    }

    private Tensor fill(int[] shape, DType dtype, Device device, Backend.Distribution d) {
        if (!dtype.isFloating()) throw new IllegalArgumentException("random fill needs a floating dtype, got " + dtype);
        if (dtype == DType.BFLOAT16) {
            // the float32 draws, rounded: a bfloat16 init is the float32 one cast
            try (Tensor wide = fill(shape, DType.FLOAT32, device, d)) {
                return Ops.copy(wide, DType.BFLOAT16);
            }
        }
        Tensor out = Tensor.empty(shape, dtype, device);
        out.backend().fillRandom(out, d, seed, take(d, out.numel()));
        return out;
    }
}

package dpvm.tensor;

/**
 * Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based
 * generator, so element i's random number is a pure function of (seed, counter) and any thread or GPU block can
 * compute it without shared state. The 64-bit counter fills words 0-1 of the 128-bit counter block; the seed is
 * the 64-bit key.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    private static final float TWO_POW_MINUS_24 = 1.0f / (1 << 24);

    private Philox() {}

    /** The four 32-bit words of the block for a full 128-bit counter and 64-bit key. */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            int n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /** One word of the block with the given 64-bit counter and seed. */
    public static int word(long seed, long counter, int which) {
        return block((int) counter, (int) (counter >>> 32), 0, 0, (int) seed, (int) (seed >>> 32))[which];
    }

    /** A uniform number in [0, 1) from the top 24 bits of a word (exact in float32). */
    public static float uniform(int word) {
        return (word >>> 8) * TWO_POW_MINUS_24;
    }

    /** Element i of a uniform fill (see {@link Backend#fillRandom}). */
    public static float uniformAt(long seed, long offset, long i) {
        return uniform(word(seed, offset + i / 4, (int) (i % 4)));
    }

    /** Element i of a standard normal fill (see {@link Backend#fillRandom}). */
    public static double normalAt(long seed, long offset, long i) {
        int[] b = block((int) (offset + i / 2), (int) ((offset + i / 2) >>> 32), 0, 0, (int) seed, (int) (seed >>> 32));
        double u1 = ((b[0] >>> 8) + 1) * (double) TWO_POW_MINUS_24; // (0, 1]: log stays finite
        double u2 = (b[1] >>> 8) * (double) TWO_POW_MINUS_24;
        double r = Math.sqrt(-2 * Math.log(u1));
        return (i % 2 == 0) ? r * Math.cos(2 * Math.PI * u2) : r * Math.sin(2 * Math.PI * u2);
    }

    /** Counter blocks a fill of n elements consumes, so the next fill starts on fresh counters. */
    public static long blocksUsed(Backend.Distribution d, long n) {
        return d == Backend.Distribution.UNIFORM ? (n + 3) / 4 : (n + 1) / 2;
    }
}

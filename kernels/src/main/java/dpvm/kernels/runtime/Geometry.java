package dpvm.kernels.runtime;

import dpvm.tensor.Shape;

import java.util.Arrays;

/**
 * The {@code Geo} argument of the strided kernels (common.cuh): rank, sizes[8], magic[8], shift[8] (the
 * divisions by each size as multiply-high and shift), strides[4][8], as 57 ints.
 * Size-1 dims are dropped and neighbouring dims merged wherever every operand is contiguous across them
 * ({@link Shape#collapse}, as the CPU's StridedLoop walks), so contiguous operands become rank 1 and the
 * kernel's index arithmetic vanishes.
 */
public final class Geometry {
    public static final int MAX_DIMS = 8, MAX_OPERANDS = 4;
    /** Where the strides start in a packed walk, and its length with room for four operands. */
    public static final int STRIDES = 1 + 3 * MAX_DIMS;
    public static final int INTS = STRIDES + MAX_OPERANDS * MAX_DIMS;

    private Geometry() {}

    /** Packs a collapsed walk into the kernel's struct layout; fails beyond 8 dims after collapsing. */
    public static int[] pack(int[] shape, int[][] strides) {
        return pack(shape, strides, MAX_OPERANDS);
    }

    /** As {@link #pack(int[], int[][])} for a struct with room for {@code slots} operands (generated kernels). */
    public static int[] pack(int[] shape, int[][] strides, int slots) {
        if (strides.length > slots) throw new IllegalArgumentException(strides.length + " operands do not fit a walk of " + slots);
        int[][] c = Shape.collapse(shape, strides);
        int rank = c[0].length;
        if (rank > MAX_DIMS) {
            throw new IllegalArgumentException("strided CUDA kernels take up to " + MAX_DIMS + " dims after merging contiguous ones, got " + rank + " for shape " + Arrays.toString(shape));
        }
        int[] g = new int[STRIDES + slots * MAX_DIMS];
        g[0] = rank;
        for (int d = 0; d < rank; d++) {
            long[] m = c[0][d] == 0 ? new long[2] : divisor(c[0][d]); // an empty walk launches nothing
            g[1 + d] = c[0][d];
            g[1 + MAX_DIMS + d] = (int) m[0];
            g[1 + 2 * MAX_DIMS + d] = (int) m[1];
        }
        for (int k = 0; k < strides.length; k++) System.arraycopy(c[k + 1], 0, g, STRIDES + k * MAX_DIMS, rank);
        return g;
    }

    /**
     * {magic, shift} for dividing by {@code d} (1 <= d < 2^31): with l = ceil(log2 d) and magic = floor(2^32 (2^l
     * - d) / d) + 1, the quotient n / d is (umulhi(n, magic) + n) >> l for every 0 <= n < 2^31, the sum staying
     * below 2^32.
     */
    public static long[] divisor(int d) {
        if (d < 1) throw new IllegalArgumentException("divisor must be positive, got " + d);
        int l = 32 - Integer.numberOfLeadingZeros(d - 1);
        long magic = ((((1L << l) - d) << 32) / d + 1) & 0xffffffffL;
        return new long[] {magic, l};
    }

    /** Whether a packed walk is one contiguous run in every operand. */
    public static boolean isFlat(int[] packed, int operands) {
        if (packed[0] != 1) return false;
        for (int k = 0; k < operands; k++) if (packed[STRIDES + k * MAX_DIMS] != 1) return false;
        return true;
    }
}

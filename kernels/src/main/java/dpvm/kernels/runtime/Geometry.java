package dpvm.kernels.runtime;

import java.util.Arrays;

/**
 * The {@code Geo} argument of the strided kernels (common.cuh): rank, sizes[8], magic[8], shift[8] (the
 * divisions by each size as multiply-high and shift), strides[4][8], as 57 ints.
 * Size-1 dims are dropped and neighbouring dims merged wherever every operand is contiguous across them, as
 * the CPU's StridedLoop does, so contiguous operands become rank 1 and the kernel's index arithmetic vanishes.
 */
public final class Geometry {
    public static final int MAX_DIMS = 8, MAX_OPERANDS = 4;
    /** Where the strides start in a packed walk, and its length with room for four operands. */
    public static final int STRIDES = 1 + 3 * MAX_DIMS;
    public static final int INTS = STRIDES + MAX_OPERANDS * MAX_DIMS;

    private Geometry() {}

    /** Strides of a tensor of shape {@code ts} broadcast to {@code shape} (stride 0 on broadcast dims). */
    public static int[] broadcastStrides(int[] ts, int[] tst, int[] shape) {
        int[] out = new int[shape.length];
        int lead = shape.length - ts.length;
        for (int i = 0; i < shape.length; i++) {
            int j = i - lead;
            out[i] = j < 0 || ts[j] == 1 && shape[i] != 1 ? 0 : tst[j];
        }
        return out;
    }

    /** The merged shape followed by each operand's merged strides: {@code result[0]} is the shape. */
    public static int[][] collapse(int[] shape, int[][] strides) {
        int ops = strides.length;
        int[] s = new int[Math.max(1, shape.length)];
        int[][] st = new int[ops][Math.max(1, shape.length)];
        int r = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            boolean merge = r > 0;
            for (int k = 0; k < ops && merge; k++) merge = st[k][r - 1] == (long) strides[k][i] * shape[i];
            if (merge) {
                s[r - 1] *= shape[i];
                for (int k = 0; k < ops; k++) st[k][r - 1] = strides[k][i];
            } else {
                s[r] = shape[i];
                for (int k = 0; k < ops; k++) st[k][r] = strides[k][i];
                r++;
            }
        }
        if (r == 0) {
            s[0] = 1;
            r = 1;
        }
        int[][] out = new int[ops + 1][];
        out[0] = Arrays.copyOf(s, r);
        for (int k = 0; k < ops; k++) out[k + 1] = Arrays.copyOf(st[k], r);
        return out;
    }

    /** Packs a collapsed walk into the kernel's struct layout; fails beyond 8 dims after collapsing. */
    public static int[] pack(int[] shape, int[][] strides) {
        return pack(shape, strides, MAX_OPERANDS);
    }

    /** As {@link #pack(int[], int[][])} for a struct with room for {@code slots} operands (generated kernels). */
    public static int[] pack(int[] shape, int[][] strides, int slots) {
        if (strides.length > slots) throw new IllegalArgumentException(strides.length + " operands do not fit a walk of " + slots);
        int[][] c = collapse(shape, strides);
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

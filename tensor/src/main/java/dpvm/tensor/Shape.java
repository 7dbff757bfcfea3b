package dpvm.tensor;

import java.util.Arrays;

/** Static helpers over shapes and strides (int arrays, row-major). */
public final class Shape {
    private Shape() {}

    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n *= s;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(1, shape[i]);
        }
        return strides;
    }

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

    /**
     * A strided walk over {@code shape} with size-1 dims dropped and neighbouring dims merged wherever every
     * operand is contiguous across them, so contiguous operands become one run: the merged shape followed by each
     * operand's merged strides ({@code result[0]} is the shape, at least one dim).
     */
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

    /** The broadcast shape of a and b (numpy rules), or an error naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": shapes " + str(a) + " and " + str(b) + " cannot be broadcast together (dim " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Resolves a possibly negative dim against rank, naming the op on error. */
    public static int dim(String op, int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= Math.max(rank, 1) || (rank == 0 && d != 0)) {
            throw new ShapeException(op + ": dim " + dim + " out of range for a tensor of rank " + rank);
        }
        return d;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    public static boolean same(int[] a, int[] b) {
        return Arrays.equals(a, b);
    }

    /** The shape left after reducing {@code dims} (sorted, resolved), with size-1 dims kept if asked. */
    public static int[] reduced(int[] shape, int[] dims, boolean keepdim) {
        boolean[] red = new boolean[shape.length];
        for (int d : dims) red[d] = true;
        int n = 0;
        for (int i = 0; i < shape.length; i++) if (keepdim || !red[i]) n++;
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (!red[i]) out[k++] = shape[i];
            else if (keepdim) out[k++] = 1;
        }
        return out;
    }

    /** The permutation that keeps the other dims in order and puts {@code last} (in that order) at the end. */
    public static int[] moveLast(int rank, int[] last) {
        boolean[] isLast = new boolean[rank];
        for (int d : last) isLast[d] = true;
        int[] order = new int[rank];
        int k = 0;
        for (int i = 0; i < rank; i++) if (!isLast[i]) order[k++] = i;
        for (int d : last) order[k++] = d;
        return order;
    }

    /** The inverse of a permutation. */
    public static int[] inverse(int[] permutation) {
        int[] inv = new int[permutation.length];
        for (int i = 0; i < permutation.length; i++) inv[permutation[i]] = i;
        return inv;
    }

    /** Output shape of a batched matmul {@code [..., M, K] x [..., K, N]} with broadcast batch dims. */
    public static int[] matmul(int[] a, int[] b) {
        int[] batch = broadcast("matmul", Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a[a.length - 2];
        out[batch.length + 1] = b[b.length - 1];
        return out;
    }

    /** {@code [n, c, last spatialDims of size3]}: the shape of a 1-3 spatial-dim op computed on 3 dims. */
    public static int[] withSpatial(int n, int c, int[] size3, int spatialDims) {
        int[] s = new int[2 + spatialDims];
        s[0] = n;
        s[1] = c;
        System.arraycopy(size3, 3 - spatialDims, s, 2, spatialDims);
        return s;
    }

    /** A per-dim parameter of a 1-d or 2-d op padded to 3 dims with a neutral leading value. */
    public static int[] to3(int[] v, int neutral) {
        int[] out = new int[3];
        Arrays.fill(out, neutral);
        System.arraycopy(v, 0, out, 3 - v.length, v.length);
        return out;
    }

    /** {N, C, inner} of an [N, C, ...] shape, inner being the product of the dims after C (batch norm's view). */
    public static int[] channels(int[] shape) {
        int inner = 1;
        for (int i = 2; i < shape.length; i++) inner *= shape[i];
        return new int[] {shape[0], shape[1], inner};
    }

    /** The spatial dims of an {@code [N, C, spatial...]} shape. */
    public static int[] spatial(int[] shape) {
        return Arrays.copyOfRange(shape, 2, shape.length);
    }
}

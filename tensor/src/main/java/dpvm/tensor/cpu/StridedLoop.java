package dpvm.tensor.cpu;

import dpvm.tensor.Tensor;

/**
 * Walks several same-shaped strided operands together (operand 0 is usually the output). Adjacent dims that are
 * contiguous in every operand are merged first, so contiguous tensors become one long run, and the work is cut
 * into rows of the innermost dim (long rows into blocks) that run in parallel. Each element is visited by
 * exactly one task, so results do not depend on the thread count.
 */
final class StridedLoop {
    /** One run of {@code n} elements; operand k starts at {@code base[k]} and steps by {@code step[k]}. */
    @FunctionalInterface
    interface Body {
        void run(int[] base, int[] step, int n);
    }

    private static final int BLOCK = 1 << 14;

    private final int[] shape;
    private final int[][] strides;
    private final int[] offsets;

    /** Operands are given as (offset, strides) already broadcast to {@code shape}. */
    private StridedLoop(int[] shape, int[][] strides, int[] offsets) {
        // Drop size-1 dims, then merge dim i into i+1 wherever every operand is contiguous across them.
        int r = 0;
        int[] s = new int[Math.max(1, shape.length)];
        int[][] st = new int[strides.length][Math.max(1, shape.length)];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            boolean merge = r > 0;
            for (int k = 0; k < strides.length && merge; k++) merge = st[k][r - 1] == strides[k][i] * shape[i];
            if (merge) {
                s[r - 1] *= shape[i];
                for (int k = 0; k < strides.length; k++) st[k][r - 1] = strides[k][i];
            } else {
                s[r] = shape[i];
                for (int k = 0; k < strides.length; k++) st[k][r] = strides[k][i];
                r++;
            }
        }
        if (r == 0) {
            s[0] = 1;
            r = 1;
        }
        this.shape = java.util.Arrays.copyOf(s, r);
        this.strides = new int[strides.length][];
        for (int k = 0; k < strides.length; k++) this.strides[k] = java.util.Arrays.copyOf(st[k], r);
        this.offsets = offsets;
    }

    /** A loop over {@code shape} with each tensor's strides broadcast (stride 0) to it. */
    static StridedLoop over(int[] shape, Tensor... operands) {
        int[][] strides = new int[operands.length][];
        int[] offsets = new int[operands.length];
        for (int k = 0; k < operands.length; k++) {
            strides[k] = broadcastStrides(operands[k], shape);
            offsets[k] = operands[k].offset();
        }
        return new StridedLoop(shape, strides, offsets);
    }

    static int[] broadcastStrides(Tensor t, int[] shape) {
        int[] ts = t.shape(), tst = t.strides();
        int[] out = new int[shape.length];
        int lead = shape.length - ts.length;
        for (int i = 0; i < shape.length; i++) {
            int j = i - lead;
            out[i] = j < 0 || ts[j] == 1 && shape[i] != 1 ? 0 : tst[j];
        }
        return out;
    }

    void run(Body body) {
        int rank = shape.length, inner = shape[rank - 1];
        if (inner == 0) return; // an empty tensor: nothing to walk (and no blocks to divide rows into)
        long rowsL = 1;
        for (int i = 0; i < rank - 1; i++) rowsL *= shape[i];
        int rows = (int) rowsL;
        int blocksPerRow = (inner + BLOCK - 1) / BLOCK;
        int tasks = rows * Math.max(1, blocksPerRow);
        int ops = offsets.length;
        int[] step = new int[ops];
        for (int k = 0; k < ops; k++) step[k] = strides[k][rank - 1];
        int grain = Math.max(1, BLOCK / Math.max(1, Math.min(inner, BLOCK)));
        Parallel.forRange(tasks, grain, (from, to) -> {
            int[] base = new int[ops];
            for (int t = from; t < to; t++) {
                int row = t / blocksPerRow, block = t % blocksPerRow;
                int rem = row;
                for (int k = 0; k < ops; k++) base[k] = offsets[k];
                for (int d = rank - 2; d >= 0; d--) {
                    int c = rem % shape[d];
                    rem /= shape[d];
                    for (int k = 0; k < ops; k++) base[k] += c * strides[k][d];
                }
                int start = block * BLOCK, n = Math.min(BLOCK, inner - start);
                for (int k = 0; k < ops; k++) base[k] += start * step[k];
                body.run(base, step, n);
            }
        });
    }
}

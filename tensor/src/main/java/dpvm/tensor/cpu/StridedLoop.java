package dpvm.tensor.cpu;

import dpvm.tensor.Shape;
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
        int[][] c = Shape.collapse(shape, strides);
        this.shape = c[0];
        this.strides = java.util.Arrays.copyOfRange(c, 1, c.length);
        this.offsets = offsets;
    }

    /** A loop over {@code shape} with each tensor's strides broadcast (stride 0) to it. */
    static StridedLoop over(int[] shape, Tensor... operands) {
        int[][] strides = new int[operands.length][];
        int[] offsets = new int[operands.length];
        for (int k = 0; k < operands.length; k++) {
            strides[k] = Shape.broadcastStrides(operands[k].shape(), operands[k].strides(), shape);
            offsets[k] = operands[k].offset();
        }
        return new StridedLoop(shape, strides, offsets);
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

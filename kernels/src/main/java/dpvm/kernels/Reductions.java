package dpvm.kernels;

import dpvm.tensor.Backend.Reduce;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/**
 * Sum, max, min over any set of dims and argmax/argmin: the reduced dims are moved last (a strided copy when
 * that is not already a dense layout) and each output reduces one contiguous row, one block per row.
 */
final class Reductions {
    private Reductions() {}

    /** x permuted so that {@code last} dims come after the others, dense (a copy only if needed). */
    static Tensor moveLast(Ctx c, Tensor x, int[] last) {
        return c.dense(x.permute(Shape.moveLast(x.rank(), last)));
    }

    /** Kept columns from which a column-wise pass (one thread each) beats transposing first. */
    static final int COLUMN_THRESHOLD = 1024;

    /** Whether dims (sorted, as the front end gives them) are 0, 1, ..., k-1. */
    static boolean leading(int[] dims) {
        for (int i = 0; i < dims.length; i++) if (dims[i] != i) return false;
        return dims.length > 0;
    }

    /** Why the column kernel (one thread per kept element, reading the reduced leading dims in place) cannot run, or null. */
    static String whyNotColumns(Tensor x, int[] dims) {
        if (!leading(dims)) return "it reduces leading dims only, got dims " + Arrays.toString(dims) + " of " + Shape.str(x.shape());
        if (!x.isContiguous()) return "it reads a contiguous tensor, got strides " + Arrays.toString(x.strides());
        return null;
    }

    /**
     * Reduces each output's row with one of two kernels ({@link KernelVariants#REDUCE}): rows (the reduced dims
     * moved last, one block per output) or cols (one thread per output, for leading dims of a contiguous tensor).
     */
    static Tensor reduce(Ctx c, Reduce op, Tensor x, int[] dims, boolean keepdim) {
        int run = 1;
        for (int d : dims) run *= x.shape()[d];
        Tensor out = c.empty(Shape.reduced(x.shape(), dims, keepdim), x.dtype());
        int rows = out.numel();
        if (rows == 0) return out;
        if (run == 0) {
            c.memsetZero(out); // only SUM reaches here: the front end rejects max/min over empty dims
            return out;
        }
        String notCols = whyNotColumns(x, dims);
        String variant = KernelVariants.REDUCE.pick(notCols == null && rows >= COLUMN_THRESHOLD ? "cols" : "rows", v -> v.equals("cols") ? notCols : null);
        switch (variant) {
            case "cols" -> c.launch("reduce.cu", "reduce_cols_" + Ctx.sfx(x.dtype()), rows, Ctx.ptr(x), Ctx.ptr(out), run, rows, op.ordinal());
            case "rows" -> {
                Tensor rowsView = moveLast(c, x, dims);
                c.launchRows("reduce.cu", "reduce_rows_" + Ctx.sfx(x.dtype()), rows, Ctx.ptr(rowsView), Ctx.ptr(out), rows, run, op.ordinal());
            }
            default -> throw new IllegalStateException("reduce: no kernel for variant " + variant);
        }
        return out;
    }

    static Tensor argReduce(Ctx c, boolean max, Tensor x, int dim, boolean keepdim) {
        if (x.rank() == 0) return Transfers.fill(c, new int[0], DType.INT64, 0);
        int run = x.shape()[dim];
        Tensor out = c.empty(Shape.reduced(x.shape(), new int[] {dim}, keepdim), DType.INT64);
        int rows = out.numel();
        if (rows == 0) return out;
        Tensor rowsView = moveLast(c, x, new int[] {dim});
        c.launchRows("reduce.cu", "argreduce_rows_" + Ctx.sfx(x.dtype()), rows, Ctx.ptr(rowsView), Ctx.ptr(out), rows, run, max ? 1 : 0);
        return out;
    }
}

package dpvm.kernels;

import dpvm.kernels.runtime.Geometry;
import dpvm.tensor.Backend.Reduce;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/**
 * Sum, max, min over any set of dims and argmax/argmin. Three kernels ({@link KernelVariants#REDUCE}): rows
 * (the reduced dims moved last, by a strided copy unless already so, one block per output), cols (one thread
 * per output over leading dims) and split (a contiguous [outer, kept, inner] read in place, each output's
 * items cut among several blocks, then their partials combined).
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

    /** Blocks per multiprocessor a split reduction aims for in all, and the fewest items it gives a block. */
    static final int SPLIT_BLOCKS_PER_SM = 4, SPLIT_MIN_ITEMS = 4096, SPLIT_MOST = 1024;

    /**
     * x as {outer, kept, inner} when it is contiguous and its reduced dims are exactly those before and after
     * one run of kept dims (size-1 dims count as either): batch-norm statistics over (0, 2, 3, 4), trailing
     * dims (outer 1), leading dims (inner 1), everything (kept 1). Else null.
     */
    static int[] splitView(Tensor x, int[] dims) {
        if (!x.isContiguous()) return null;
        int[] shape = x.shape();
        boolean[] reduced = new boolean[shape.length];
        for (int d : dims) reduced[d] = true;
        int first = -1, last = -1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d] || shape[d] == 1) continue;
            if (first < 0) first = d;
            last = d;
        }
        if (first < 0) return new int[] {1, 1, x.numel()};
        for (int d = first; d <= last; d++) if (reduced[d] && shape[d] != 1) return null;
        int outer = 1, kept = 1, inner = 1;
        for (int d = 0; d < shape.length; d++) {
            if (d < first) outer *= shape[d];
            else if (d <= last) kept *= shape[d];
            else inner *= shape[d];
        }
        return new int[] {outer, kept, inner};
    }

    static String whyNotSplit(Tensor x, int[] dims) {
        if (!x.isContiguous()) return "it reads a contiguous tensor, got strides " + Arrays.toString(x.strides());
        if (splitView(x, dims) == null) return "the kept dims of " + Shape.str(x.shape()) + " are not one run between the reduced dims " + Arrays.toString(dims);
        return null;
    }

    /**
     * {splits, chunk} for {@code rows} outputs of {@code items} items each: enough blocks in all for
     * SPLIT_BLOCKS_PER_SM per multiprocessor, at least SPLIT_MIN_ITEMS items a block, at most SPLIT_MOST
     * splits, and chunks of equal size but the last, none of them empty.
     */
    static int[] splitPlan(int rows, int items, int multiprocessors) {
        long want = Math.max(1, ((long) SPLIT_BLOCKS_PER_SM * multiprocessors + rows - 1) / rows);
        long splits = Math.min(Math.min(want, Math.max(1, items / SPLIT_MIN_ITEMS)), SPLIT_MOST);
        long chunk = Math.max(1, (items + splits - 1) / splits);
        return new int[] {(int) ((items + chunk - 1) / chunk), (int) chunk};
    }

    /**
     * Picks the kernel: cols for leading dims into at least COLUMN_THRESHOLD outputs; rows when the reduced
     * dims are already last and there are rows enough for SPLIT_BLOCKS_PER_SM blocks per multiprocessor (no
     * copy, no partials); split wherever it reads the tensor in place; rows, after a transposing copy, else.
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
        String notCols = whyNotColumns(x, dims), notSplit = whyNotSplit(x, dims);
        int[] view = notSplit == null ? splitView(x, dims) : null;
        boolean rowsInPlace = view != null && view[0] == 1 && rows >= SPLIT_BLOCKS_PER_SM * c.dev.multiprocessors();
        String automatic = notCols == null && rows >= COLUMN_THRESHOLD ? "cols" : view != null && !rowsInPlace ? "split" : "rows";
        String variant = KernelVariants.REDUCE.pick(automatic, v -> v.equals("cols") ? notCols : v.equals("split") ? notSplit : null);
        switch (variant) {
            case "cols" -> c.launch("reduce.cu", "reduce_cols_" + Ctx.sfx(x.dtype()), rows, Ctx.ptr(x), Ctx.ptr(out), run, rows, op.ordinal());
            case "split" -> split(c, op, x, splitView(x, dims), out);
            case "rows" -> {
                Tensor rowsView = moveLast(c, x, dims);
                c.launchRows("reduce.cu", "reduce_rows_" + Ctx.sfx(x.dtype()), rows, Ctx.ptr(rowsView), Ctx.ptr(out), rows, run, op.ordinal());
            }
            default -> throw new IllegalStateException("reduce: no kernel for variant " + variant);
        }
        return out;
    }

    private static void split(Ctx c, Reduce op, Tensor x, int[] view, Tensor out) {
        int outer = view[0], rows = view[1], inner = view[2];
        int[] plan = splitPlan(rows, outer * inner, c.dev.multiprocessors());
        int splits = plan[0], chunk = plan[1];
        long[] div = Geometry.divisor(inner);
        String s = Ctx.sfx(x.dtype());
        int blocks = (int) Math.min((long) rows * splits, 65535L * 16);
        if (splits == 1) {
            c.launchBlocks("reduce.cu", "reduce_split_" + s, blocks, Ctx.THREADS, Ctx.ptr(x), Ctx.ptr(out), 0L, outer, rows, inner, (int) div[0], (int) div[1], 1, chunk, op.ordinal());
            return;
        }
        DType acc = x.dtype().isFloating() ? DType.FLOAT64 : DType.INT64;
        try (Tensor partial = c.empty(new int[] {rows, splits}, acc)) {
            c.launchBlocks("reduce.cu", "reduce_split_" + s, blocks, Ctx.THREADS, Ctx.ptr(x), Ctx.ptr(out), Ctx.ptr(partial), outer, rows, inner, (int) div[0], (int) div[1], splits, chunk, op.ordinal());
            c.launch("reduce.cu", "reduce_split_finish_" + s, rows, Ctx.ptr(partial), Ctx.ptr(out), rows, splits, op.ordinal());
        }
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

package dpvm.kernels;

import dpvm.kernels.runtime.Geometry;
import dpvm.tensor.Backend.Reduce;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/**
 * Sum, max, min over any set of dims and argmax/argmin. Three kernels ({@link KernelVariants#REDUCE}): rows
 * (the reduced dims moved last, by a strided copy unless already so, one block per output), cols (a contiguous
 * [outer, reduced, cols] read in place in tiles of 32 columns) and split (a contiguous [outer, kept, inner]
 * read in place). Cols and
 * split cut each output's items among several blocks when there are too few outputs to fill the GPU, and
 * combine the partials in a fixed order.
 */
final class Reductions {
    private Reductions() {}

    /** x permuted so that {@code last} dims come after the others, dense (a copy only if needed). */
    static Tensor moveLast(Ctx c, Tensor x, int[] last) {
        return c.dense(x.permute(Shape.moveLast(x.rank(), last)));
    }

    /**
     * x as {outer, reduced, cols} when it is contiguous and its reduced dims (size-1 dims count as either) are
     * one run: the leading dims (outer 1), or a run in between (a mean over time of [N, T, D]). Else null.
     */
    static int[] columnView(Tensor x, int[] dims) {
        return x.isContiguous() ? aroundRun(x.shape(), marked(x.rank(), dims, true)) : null;
    }

    /** Whether each dim is in {@code dims} ({@code in} true) or not. */
    private static boolean[] marked(int rank, int[] dims, boolean in) {
        boolean[] m = new boolean[rank];
        Arrays.fill(m, !in);
        for (int d : dims) m[d] = in;
        return m;
    }

    /**
     * {before, run, after}: the products of the dims before, within and after the one run of dims marked in
     * {@code run} (size-1 dims count as either); {1, 1, numel} when no dim of size above 1 is marked; null when
     * the marked dims are not one run.
     */
    private static int[] aroundRun(int[] shape, boolean[] run) {
        int first = -1, last = -1;
        for (int d = 0; d < shape.length; d++) {
            if (!run[d] || shape[d] == 1) continue;
            if (first < 0) first = d;
            last = d;
        }
        if (first < 0) return new int[] {1, 1, Shape.numel(shape)};
        for (int d = first; d <= last; d++) if (!run[d] && shape[d] != 1) return null;
        int[] v = {1, 1, 1};
        for (int d = 0; d < shape.length; d++) v[d < first ? 0 : d <= last ? 1 : 2] *= shape[d];
        return v;
    }

    /** Why the column kernel (tiles of 32 kept columns, reading the reduced rows in place) cannot run, or null. */
    static String whyNotColumns(Tensor x, int[] dims) {
        if (!x.isContiguous()) return "it reads a contiguous tensor, got strides " + Arrays.toString(x.strides());
        if (columnView(x, dims) == null) return "the reduced dims " + Arrays.toString(dims) + " of " + Shape.str(x.shape()) + " are not one run";
        return null;
    }

    /**
     * Columns (kept values after the reduced run) from which the column kernel is the automatic choice: its
     * warps read 32 columns at a time, so fewer would leave lanes idle (a whole-tensor sum has one).
     */
    static final int COLUMNS_MIN = 32;

    /** Blocks per multiprocessor a split reduction aims for in all, and the fewest items it gives a block. */
    static final int SPLIT_BLOCKS_PER_SM = 4, SPLIT_MIN_ITEMS = 4096, SPLIT_MOST = 1024;

    /**
     * x as {outer, kept, inner} when it is contiguous and its reduced dims are exactly those before and after
     * one run of kept dims (size-1 dims count as either): batch-norm statistics over (0, 2, 3, 4), trailing
     * dims (outer 1), leading dims (inner 1), everything (kept 1). Else null.
     */
    static int[] splitView(Tensor x, int[] dims) {
        return x.isContiguous() ? aroundRun(x.shape(), marked(x.rank(), dims, false)) : null;
    }

    static String whyNotSplit(Tensor x, int[] dims) {
        if (!x.isContiguous()) return "it reads a contiguous tensor, got strides " + Arrays.toString(x.strides());
        if (splitView(x, dims) == null) return "the kept dims of " + Shape.str(x.shape()) + " are not one run between the reduced dims " + Arrays.toString(dims);
        return null;
    }

    /**
     * {splits, chunk} for work of {@code blocks} blocks (outputs, or column tiles) of {@code items} items each:
     * enough blocks in all for SPLIT_BLOCKS_PER_SM per multiprocessor, at least {@code minItems} items a chunk,
     * at most SPLIT_MOST splits, and chunks of equal size but the last, none of them empty.
     */
    static int[] splitPlan(int blocks, int items, int minItems, int multiprocessors) {
        long want = Math.max(1, ((long) SPLIT_BLOCKS_PER_SM * multiprocessors + blocks - 1) / blocks);
        long splits = Math.min(Math.min(want, Math.max(1, items / minItems)), SPLIT_MOST);
        long chunk = Math.max(1, (items + splits - 1) / splits);
        return new int[] {(int) ((items + chunk - 1) / chunk), (int) chunk};
    }

    /**
     * Picks the kernel: cols for one run of reduced dims of a contiguous tensor with at least COLUMNS_MIN
     * columns after it; rows when the reduced dims are already
     * last and there are rows enough for SPLIT_BLOCKS_PER_SM blocks per multiprocessor (no copy, no partials);
     * split wherever it reads the tensor in place; rows, after a transposing copy, else.
     */
    static Tensor reduce(Ctx c, Reduce op, Tensor x, int[] dims, boolean keepdim) {
        int run = itemsPerOutput(x.shape(), dims);
        Tensor out = c.empty(Shape.reduced(x.shape(), dims, keepdim), x.dtype());
        int rows = out.numel();
        if (rows == 0) return out;
        if (run == 0) {
            c.memsetZero(out); // only SUM reaches here: the front end rejects max/min over empty dims
            return out;
        }
        String notCols = whyNotColumns(x, dims), notSplit = whyNotSplit(x, dims);
        int[] view = notSplit == null ? splitView(x, dims) : null, columns = notCols == null ? columnView(x, dims) : null;
        boolean rowsInPlace = view != null && view[0] == 1 && rows >= SPLIT_BLOCKS_PER_SM * c.dev.multiprocessors();
        String automatic = columns != null && columns[2] >= COLUMNS_MIN ? "cols" : view != null && !rowsInPlace ? "split" : "rows";
        String variant = KernelVariants.REDUCE.pick(automatic, v -> v.equals("cols") ? notCols : v.equals("split") ? notSplit : null);
        String s = Ctx.sfx(x.dtype());
        int sms = c.dev.multiprocessors();
        switch (variant) {
            case "cols" -> {
                int outer = columns[0], cols = columns[2], tiles = (cols + 31) / 32;
                int[] plan = splitPlan(outer * tiles, run, SPLIT_MIN_ITEMS / 32, sms);
                withPartials(c, x, out, plan[0], partial -> c.launchBlocks("reduce.cu", "reduce_cols_" + s, Ctx.cappedBlocks((long) outer * tiles * plan[0]), Ctx.THREADS,
                        Ctx.ptr(x), Ctx.ptr(out), partial, outer, run, cols, plan[0], plan[1], op.ordinal()), op);
            }
            case "split" -> {
                int outer = view[0], inner = view[2];
                int[] plan = splitPlan(rows, outer * inner, SPLIT_MIN_ITEMS, sms);
                long[] div = Geometry.divisor(inner);
                withPartials(c, x, out, plan[0], partial -> c.launchBlocks("reduce.cu", "reduce_split_" + s, Ctx.cappedBlocks((long) rows * plan[0]), Ctx.THREADS,
                        Ctx.ptr(x), Ctx.ptr(out), partial, outer, rows, inner, (int) div[0], (int) div[1], plan[0], plan[1], op.ordinal()), op);
            }
            case "rows" -> {
                Tensor rowsView = moveLast(c, x, dims);
                c.launchRows("reduce.cu", "reduce_rows_" + s, rows, Ctx.ptr(rowsView), Ctx.ptr(out), rows, run, op.ordinal());
            }
            default -> throw new IllegalStateException("reduce: no kernel for variant " + variant);
        }
        return out;
    }

    private static int itemsPerOutput(int[] shape, int[] dims) {
        int n = 1;
        for (int d : dims) n *= shape[d];
        return n;
    }

    /**
     * Runs a kernel that writes the outputs itself (one split: {@code launch} gets a null partial pointer) or
     * one partial per output and split (double or int64), which reduce_split_finish then combines in order.
     */
    private static void withPartials(Ctx c, Tensor x, Tensor out, int splits, java.util.function.LongConsumer launch, Reduce op) {
        if (splits == 1) {
            launch.accept(0L);
            return;
        }
        int outputs = out.numel();
        try (Tensor partial = c.empty(new int[] {outputs, splits}, x.dtype().isFloating() ? DType.FLOAT64 : DType.INT64)) {
            launch.accept(Ctx.ptr(partial));
            c.launch("reduce.cu", "reduce_split_finish_" + Ctx.sfx(x.dtype()), outputs, Ctx.ptr(partial), Ctx.ptr(out), outputs, splits, op.ordinal());
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

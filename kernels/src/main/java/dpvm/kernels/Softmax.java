package dpvm.kernels;

import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

/**
 * Softmax and log-softmax along one dim and their gradients, on rows with that dim moved last, one block of
 * {@link Ctx#THREADS} per row. A row is held in registers when it fits (read from memory once; one exponential
 * per value forward), else it is reread (variants "registers" and "rows" of {@link KernelVariants#SOFTMAX} and
 * {@link KernelVariants#SOFTMAX_BACKWARD}; both give the same bits).
 */
final class Softmax {
    private Softmax() {}

    /** Values per thread the register kernels are built for, at most: 32 floats or 16 doubles. */
    static int maxItems(DType t) {
        return t == DType.FLOAT64 ? 16 : 32;
    }

    /** Why rows of {@code run} values cannot use {@code variant}, or null when they can. */
    static String whyNot(String variant, int run, DType t) {
        int limit = Ctx.THREADS * maxItems(t);
        return variant.equals("registers") && run > limit ? "rows of " + run + " values exceed the register kernel's " + limit + " for " + t : null;
    }

    /** The smallest power of two of values per thread that holds a row. */
    static int items(int run) {
        int items = 1;
        while (items * Ctx.THREADS < run) items *= 2;
        return items;
    }

    /** The kernel for rows of {@code run} values: the register one where it fits (or is forced), else the rows one. */
    private static String kernel(KernelVariants.Choice choice, String prefix, int run, DType t) {
        String automatic = whyNot("registers", run, t) == null ? "registers" : "rows";
        String variant = choice.pick(automatic, v -> whyNot(v, run, t));
        return (variant.equals("registers") ? prefix + "r" + items(run) + "_" : prefix) + Ctx.sfx(t);
    }

    private static Tensor back(Ctx c, Tensor rows, int rank, int dim) {
        if (dim == rank - 1) return rows;
        return Transfers.copy(c, rows.permute(Shape.inverse(Shape.moveLast(rank, new int[] {dim}))), rows.dtype());
    }

    static Tensor forward(Ctx c, Tensor x, int dim, boolean log) {
        if (x.rank() == 0) return Transfers.fill(c, new int[0], x.dtype(), log ? 0 : 1);
        Tensor in = Reductions.moveLast(c, x, new int[] {dim});
        int run = x.shape()[dim], rows = run == 0 ? 0 : x.numel() / run;
        Tensor out = c.empty(in.shape(), x.dtype());
        c.launchRows("softmax.cu", kernel(KernelVariants.SOFTMAX, "softmax_fwd_", run, x.dtype()), rows, Ctx.ptr(in), Ctx.ptr(out), rows, run, log ? 1 : 0);
        return back(c, out, x.rank(), dim);
    }

    static Tensor backward(Ctx c, Tensor y, Tensor gy, int dim, boolean log) {
        if (y.rank() == 0) return Transfers.fill(c, new int[0], y.dtype(), 0);
        Tensor yr = Reductions.moveLast(c, y, new int[] {dim}), gr = Reductions.moveLast(c, gy, new int[] {dim});
        int run = y.shape()[dim], rows = run == 0 ? 0 : y.numel() / run;
        Tensor out = c.empty(yr.shape(), y.dtype());
        c.launchRows("softmax.cu", kernel(KernelVariants.SOFTMAX_BACKWARD, "softmax_bwd_", run, y.dtype()), rows, Ctx.ptr(yr), Ctx.ptr(gr), Ctx.ptr(out), rows, run, log ? 1 : 0);
        return back(c, out, y.rank(), dim);
    }
}

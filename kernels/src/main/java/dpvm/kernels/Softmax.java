package dpvm.kernels;

import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

/** Softmax and log-softmax along one dim and their gradients, on rows with that dim moved last. */
final class Softmax {
    private Softmax() {}

    private static Tensor back(Ctx c, Tensor rows, int rank, int dim) {
        if (dim == rank - 1) return rows;
        return Transfers.copy(c, rows.permute(Shape.inverse(Shape.moveLast(rank, new int[] {dim}))), rows.dtype());
    }

    static Tensor forward(Ctx c, Tensor x, int dim, boolean log) {
        if (x.rank() == 0) return Transfers.fill(c, new int[0], x.dtype(), log ? 0 : 1);
        Tensor in = Reductions.moveLast(c, x, new int[] {dim});
        int run = x.shape()[dim], rows = run == 0 ? 0 : x.numel() / run;
        Tensor out = c.empty(in.shape(), x.dtype());
        c.launchRows("softmax.cu", "softmax_fwd_" + Ctx.sfx(x.dtype()), rows, Ctx.ptr(in), Ctx.ptr(out), rows, run, log ? 1 : 0);
        return back(c, out, x.rank(), dim);
    }

    static Tensor backward(Ctx c, Tensor y, Tensor gy, int dim, boolean log) {
        if (y.rank() == 0) return Transfers.fill(c, new int[0], y.dtype(), 0);
        Tensor yr = Reductions.moveLast(c, y, new int[] {dim}), gr = Reductions.moveLast(c, gy, new int[] {dim});
        int run = y.shape()[dim], rows = run == 0 ? 0 : y.numel() / run;
        Tensor out = c.empty(yr.shape(), y.dtype());
        c.launchRows("softmax.cu", "softmax_bwd_" + Ctx.sfx(y.dtype()), rows, Ctx.ptr(yr), Ctx.ptr(gr), Ctx.ptr(out), rows, run, log ? 1 : 0);
        return back(c, out, y.rank(), dim);
    }
}

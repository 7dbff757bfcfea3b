package dpvm.tensor.cpu;

import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

/** Softmax and log-softmax along one dim, and their gradients, computed row by row in double. */
final class CpuSoftmax {
    private CpuSoftmax() {}

    private static Tensor back(CpuBackend backend, Tensor rows, int rank, int dim) {
        if (dim == rank - 1) return rows;
        return backend.copy(rows.permute(Shape.inverse(Shape.moveLast(rank, new int[] {dim}))), rows.dtype());
    }

    static Tensor forward(CpuBackend backend, Tensor x, int dim, boolean log) {
        if (x.rank() == 0) return backend.fill(new int[0], x.dtype(), log ? 0 : 1);
        Tensor c = CpuReduce.moveLast(backend, x, new int[] {dim});
        int run = x.shape()[dim], rows = run == 0 ? 0 : x.numel() / run;
        Tensor out = backend.fill(c.shape(), x.dtype(), 0);
        CpuStorage in = (CpuStorage) c.storage(), o = (CpuStorage) out.storage();
        int base = c.offset();
        Parallel.forRange(rows, Math.max(1, 4096 / Math.max(1, run)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int s = base + r * run, os = r * run;
                if (o.f != null) {
                    FloatLoops.softmaxRow(in.f, s, o.f, os, run, log);
                    continue;
                }
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < run; j++) m = Math.max(m, in.get(s + j));
                if (m == Double.NEGATIVE_INFINITY) m = 0; // an all -inf row gives NaN below, as in PyTorch
                double sum = 0;
                for (int j = 0; j < run; j++) sum += Math.exp(in.get(s + j) - m);
                double logSum = Math.log(sum);
                for (int j = 0; j < run; j++) {
                    double z = in.get(s + j) - m;
                    o.set(os + j, log ? z - logSum : Math.exp(z) / sum);
                }
            }
        });
        return back(backend, out, x.rank(), dim);
    }

    static Tensor backward(CpuBackend backend, Tensor y, Tensor gy, int dim, boolean log) {
        if (y.rank() == 0) return backend.fill(new int[0], y.dtype(), 0);
        Tensor cy = CpuReduce.moveLast(backend, y, new int[] {dim});
        Tensor cg = CpuReduce.moveLast(backend, gy, new int[] {dim});
        int run = y.shape()[dim], rows = run == 0 ? 0 : y.numel() / run;
        Tensor out = backend.fill(cy.shape(), y.dtype(), 0);
        CpuStorage ys = (CpuStorage) cy.storage(), gs = (CpuStorage) cg.storage(), o = (CpuStorage) out.storage();
        int yb = cy.offset(), gb = cg.offset();
        Parallel.forRange(rows, Math.max(1, 4096 / Math.max(1, run)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int yo = yb + r * run, go = gb + r * run, oo = r * run;
                if (o.f != null) {
                    FloatLoops.softmaxBackwardRow(ys.f, yo, gs.f, go, o.f, oo, run, log);
                    continue;
                }
                double dot = 0;
                for (int j = 0; j < run; j++) dot += log ? gs.get(go + j) : gs.get(go + j) * ys.get(yo + j);
                for (int j = 0; j < run; j++) {
                    double yv = ys.get(yo + j), g = gs.get(go + j);
                    o.set(oo + j, log ? g - Math.exp(yv) * dot : yv * (g - dot));
                }
            }
        });
        return back(backend, out, y.rank(), dim);
    }
}

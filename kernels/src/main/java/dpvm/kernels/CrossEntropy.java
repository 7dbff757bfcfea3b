package dpvm.kernels;

import dpvm.tensor.Tensor;

/**
 * Fused cross-entropy forward and backward (softmax.cu), one block per row reading the logits, targets and
 * weights through their own strides: no copies, no [N, C] intermediate. Blocks shrink to a warp for few classes.
 */
final class CrossEntropy {
    private CrossEntropy() {}

    private static String name(String kernel, Tensor logits, Tensor targets) {
        return kernel + "_" + Ctx.sfx(logits.dtype()) + "_" + Ctx.sfx(targets.dtype());
    }

    /** Threads per row block: the classes rounded up to whole warps, at most Ctx.THREADS. */
    private static int threads(int classes) {
        return Math.min(Ctx.THREADS, Math.max(32, (classes + 31) / 32 * 32));
    }

    private static int blocks(int rows) {
        return Math.min(rows, Ctx.MAX_BLOCKS);
    }

    static Tensor[] forward(Ctx c, Tensor logits, Tensor targets, Tensor w, double smoothing) {
        int n = logits.shape()[0], classes = logits.shape()[1];
        Tensor[] out = new Tensor[4]; // loss, rowMax, logSum, targetWeight
        for (int k = 0; k < out.length; k++) out[k] = c.empty(new int[] {n}, logits.dtype());
        if (n == 0) return out;
        c.checked("cross_entropy", classes, 1, logits.shape(), flag -> c.launchBlocks("softmax.cu", name("cross_entropy_fwd", logits, targets), blocks(n), threads(classes),
                Ctx.ptr(logits), logits.strides()[0], logits.strides()[1], Ctx.ptr(targets), targets.strides()[0],
                w == null ? 0L : Ctx.ptr(w), w == null ? 0 : w.strides()[0], Ctx.ptr(out[0]), Ctx.ptr(out[1]), Ctx.ptr(out[2]), Ctx.ptr(out[3]),
                n, classes, smoothing, flag));
        return out;
    }

    static Tensor backward(Ctx c, Tensor logits, Tensor targets, Tensor w, Tensor rowMax, Tensor logSum, Tensor g, double smoothing) {
        int n = logits.shape()[0], classes = logits.shape()[1];
        Tensor out = c.empty(new int[] {n, classes}, logits.dtype());
        if (n == 0 || classes == 0) return out;
        c.launchBlocks("softmax.cu", name("cross_entropy_bwd", logits, targets), blocks(n), threads(classes),
                Ctx.ptr(logits), logits.strides()[0], logits.strides()[1], Ctx.ptr(targets), targets.strides()[0],
                w == null ? 0L : Ctx.ptr(w), w == null ? 0 : w.strides()[0], Ctx.ptr(rowMax), rowMax.strides()[0],
                Ctx.ptr(logSum), logSum.strides()[0], Ctx.ptr(g), g.strides()[0], Ctx.ptr(out), n, classes, smoothing);
        return out;
    }
}

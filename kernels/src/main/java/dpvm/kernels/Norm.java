package dpvm.kernels;

import dpvm.tensor.DType;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/** Layer norm and its backward (norm.cu) on dense rows [outer, inner]. */
final class Norm {
    private Norm() {}

    /** Values per thread of the block kernel (DPVM_LN_VPT_BLOCK), and the longest rows the warp and block kernels take. */
    static final int BLOCK_VALUES = 16, WARP_ROWS_MAX = 1024, BLOCK_ROWS_MAX = 512 * BLOCK_VALUES;

    /**
     * How rows of {@code inner} values are spread over threads: the kernel's suffix ("w1".."w32", layout "warp":
     * one warp per row with that many values per lane, 8 rows per block; "b", layout "block": one block per row;
     * "wide": one 1024-thread block per row, rereading memory), the threads per block and the rows per block.
     */
    record RowPlan(String variant, int threads, int rowsPerBlock) {
        static RowPlan of(int inner) {
            return of(automatic(inner), inner);
        }

        /** The layout dispatch picks by itself: the fastest one that holds the row in registers. */
        static String automatic(int inner) {
            return inner <= WARP_ROWS_MAX ? "warp" : inner <= BLOCK_ROWS_MAX ? "block" : "wide";
        }

        /** The plan of one layout ("warp", "block" or "wide", the variants of {@link KernelVariants#LAYER_NORM}); see {@link #whyNot}. */
        static RowPlan of(String layout, int inner) {
            return switch (layout) {
                case "warp" -> new RowPlan("w" + pow2AtLeast((inner + 31) / 32), 256, 8);
                case "block" -> new RowPlan("b", Math.max(128, pow2AtLeast((inner + BLOCK_VALUES - 1) / BLOCK_VALUES)), 1);
                case "wide" -> new RowPlan("wide", 1024, 1);
                default -> throw new IllegalArgumentException("layer norm has no layout " + layout + " (warp, block, wide)");
            };
        }

        /** Why a layout cannot hold rows of {@code inner} values in registers, or null when it can. */
        static String whyNot(String layout, int inner) {
            if (layout.equals("warp") && inner > WARP_ROWS_MAX) return "rows of " + inner + " values exceed the warp kernel's " + WARP_ROWS_MAX;
            if (layout.equals("block") && inner > BLOCK_ROWS_MAX) return "rows of " + inner + " values exceed the block kernel's " + BLOCK_ROWS_MAX;
            return null;
        }

        /** The plan for rows of {@code inner} values: the automatic layout unless {@code choice} forces another. */
        static RowPlan chosen(KernelVariants.Choice choice, int inner) {
            return of(choice.pick(automatic(inner), layout -> whyNot(layout, inner)), inner);
        }

        int blocks(int rows) {
            return (int) Math.min((rows + (long) rowsPerBlock - 1) / rowsPerBlock, Ctx.MAX_BLOCKS);
        }
    }

    private static int pow2AtLeast(int n) {
        int p = 1;
        while (p < n) p <<= 1;
        return p;
    }

    /**
     * Row chunks of the weight and bias gradients' first stage: {chunks, rows per chunk}, about 2^18 partial sums
     * in all (enough threads to fill the GPU) and at least 8 rows per chunk.
     */
    static int[] columnChunks(int rows, int inner) {
        int chunks = Math.max(1, Math.min((rows + 7) / 8, (1 << 18) / Math.max(1, inner)));
        int per = (rows + chunks - 1) / chunks;
        return new int[] {(rows + per - 1) / per, per};
    }

    private static int inner(int[] shape, int normalizedDims) {
        int n = 1;
        for (int i = shape.length - normalizedDims; i < shape.length; i++) n *= shape[i];
        return n;
    }

    private static int outer(int[] shape, int normalizedDims) {
        int n = 1;
        for (int i = 0; i < shape.length - normalizedDims; i++) n *= shape[i];
        return n;
    }

    static Tensor[] forward(Ctx c, Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
        int inner = inner(x.shape(), normalizedDims), rows = outer(x.shape(), normalizedDims);
        Tensor cx = c.dense(x), cw = weight == null ? null : c.dense(weight), cb = bias == null ? null : c.dense(bias);
        Tensor y = c.empty(x.shape(), x.dtype()), mean = c.empty(new int[] {rows}, x.dtype()), rstd = c.empty(new int[] {rows}, x.dtype());
        if (rows > 0) {
            RowPlan p = RowPlan.chosen(KernelVariants.LAYER_NORM, inner);
            c.launchBlocks("norm.cu", "layer_norm_fwd_" + p.variant() + "_" + Ctx.sfx(x.dtype()), p.blocks(rows), p.threads(),
                    Ctx.ptr(cx), Ctx.ptrOrNull(cw), Ctx.ptrOrNull(cb), Ctx.ptr(y), Ctx.ptr(mean), Ctx.ptr(rstd), rows, inner, eps);
        }
        return new Tensor[] {y, mean, rstd};
    }

    static Tensor[] backward(Ctx c, Tensor gy, Tensor x, Tensor mean, Tensor rstd, Tensor weight, int normalizedDims, boolean weightGrad, boolean biasGrad) {
        int inner = inner(x.shape(), normalizedDims), rows = outer(x.shape(), normalizedDims);
        String s = Ctx.sfx(x.dtype());
        Tensor cg = c.dense(gy), cx = c.dense(x), cm = c.dense(mean), cr = c.dense(rstd), cw = weight == null ? null : c.dense(weight);
        int[] paramShape = Arrays.copyOfRange(x.shape(), x.rank() - normalizedDims, x.rank());
        Tensor dx = c.empty(x.shape(), x.dtype());
        Tensor dw = weightGrad ? c.empty(paramShape, x.dtype()) : null, db = biasGrad ? c.empty(paramShape, x.dtype()) : null;
        if (rows == 0 || inner == 0) {
            // no rows: the column sums are zero (and with no columns there is nothing to write)
            if (dw != null) c.memsetZero(dw);
            if (db != null) c.memsetZero(db);
            return new Tensor[] {dx, dw, db};
        }
        RowPlan p = RowPlan.chosen(KernelVariants.LAYER_NORM_BACKWARD, inner);
        c.launchBlocks("norm.cu", "layer_norm_bwd_" + p.variant() + "_" + s, p.blocks(rows), p.threads(),
                Ctx.ptr(cg), Ctx.ptr(cx), Ctx.ptr(cm), Ctx.ptr(cr), Ctx.ptrOrNull(cw), Ctx.ptr(dx), rows, inner);
        if (dw != null || db != null) {
            int[] chunking = columnChunks(rows, inner);
            int chunks = chunking[0], per = chunking[1];
            Tensor partial = c.empty(new int[] {2, chunks, inner}, DType.FLOAT64);
            long pw = dw == null ? 0L : Ctx.ptr(partial), pb = db == null ? 0L : Ctx.ptr(partial) + 8L * chunks * inner;
            c.launch("norm.cu", "layer_norm_bwd_cols_" + s, (long) chunks * inner, Ctx.ptr(cg), Ctx.ptr(cx), Ctx.ptr(cm), Ctx.ptr(cr), pw, pb, rows, inner, per, chunks);
            c.launch("norm.cu", "layer_norm_bwd_colsum_" + s, inner, pw, pb, Ctx.ptrOrNull(dw), Ctx.ptrOrNull(db), chunks, inner);
        }
        return new Tensor[] {dx, dw, db};
    }
}

package dpvm.tensor.cpu;

import java.util.Arrays;

/**
 * N-d (3-d) convolution as in PyTorch (cross-correlation, no bias): x {@code [N, C, D, H, W]}, w
 * {@code [O, C/groups, kD, kH, kW]}, y {@code [N, O, oD, oH, oW]}, all contiguous. Outputs are overwritten.
 *
 * <p>Float runs as GEMM over column tiles: im2col of a range of output positions (so the column buffer stays a
 * few MiB) times the weights. Pointwise kernels skip im2col. Work splits over samples, groups, position tiles
 * and channel chunks whose sizes depend only on the geometry, and every sum runs in one fixed order, so results
 * do not depend on the thread count. Double runs direct loops: the readable reference for gradient checks.
 */
public final class Conv {
    /** Target column-buffer size per task, in floats. */
    private static final int COL_FLOATS = 1 << 20;
    /** Channel chunks per group in the backward passes: enough tasks for a few cores, fixed for determinism. */
    private static final int CHANNEL_CHUNKS = 8;

    private static final ThreadLocal<float[]> COL = new ThreadLocal<>();

    private Conv() {}

    public static void forward(ConvGeometry g, float[] x, float[] w, float[] y) {
        Shape s = new Shape(g, x.length, w.length, y.length, "y");
        if (g.pointwise()) {
            for (int n = 0; n < g.batch(); n++) {
                for (int gi = 0; gi < g.groups(); gi++) {
                    Gemm.sgemm(false, false, s.og, s.outPlane, s.cg, 1f, w, gi * s.og * s.cg, s.cg, x,
                            s.xAt(n, gi, 0), s.outPlane, 0f, y, s.yAt(n, gi, 0), s.outPlane);
                }
            }
            return;
        }
        int units = g.batch() * g.groups() * s.tiles;
        Parallel.forRange(units, 1, (from, to) -> {
            float[] col = colBuffer(s.rows * s.tile);
            for (int u = from; u < to; u++) {
                int n = u / (g.groups() * s.tiles), gi = u / s.tiles % g.groups(), p0 = u % s.tiles * s.tile;
                int p1 = Math.min(s.outPlane, p0 + s.tile);
                Im2col.gather(g, x, s.xAt(n, gi, 0), 0, s.cg, p0, p1, col);
                Gemm.sgemm(false, false, s.og, p1 - p0, s.rows, 1f, w, gi * s.og * s.rows, s.rows, col, 0, p1 - p0,
                        0f, y, s.yAt(n, gi, p0), s.outPlane);
            }
        });
    }

    public static void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        Shape s = new Shape(g, dx.length, w.length, dy.length, "dy");
        if (g.pointwise()) {
            for (int n = 0; n < g.batch(); n++) {
                for (int gi = 0; gi < g.groups(); gi++) {
                    Gemm.sgemm(true, false, s.cg, s.outPlane, s.og, 1f, w, gi * s.og * s.cg, s.cg, dy,
                            s.yAt(n, gi, 0), s.outPlane, 0f, dx, s.xAt(n, gi, 0), s.outPlane);
                }
            }
            return;
        }
        ConvGeometry flipped = transposedGeometry(g);
        if (flipped != null) {
            forward(flipped, dy, flipWeights(g, w), dx);
            return;
        }
        // Each task owns a chunk of input channels, so its column-to-image adds never meet another task's.
        int chunk = (s.cg + CHANNEL_CHUNKS - 1) / CHANNEL_CHUNKS, chunks = (s.cg + chunk - 1) / chunk;
        int kv = g.kernelVolume();
        Parallel.forRange(g.batch() * g.groups() * chunks, 1, (from, to) -> {
            float[] col = colBuffer(chunk * kv * s.tile);
            for (int u = from; u < to; u++) {
                int n = u / (g.groups() * chunks), gi = u / chunks % g.groups(), c0 = u % chunks * chunk;
                int c1 = Math.min(s.cg, c0 + chunk);
                Arrays.fill(dx, s.xAt(n, gi, c0), s.xAt(n, gi, c1), 0f);
                for (int p0 = 0; p0 < s.outPlane; p0 += s.tile) {
                    int p1 = Math.min(s.outPlane, p0 + s.tile);
                    Gemm.sgemm(true, false, (c1 - c0) * kv, p1 - p0, s.og, 1f, w, gi * s.og * s.rows + c0 * kv,
                            s.rows, dy, s.yAt(n, gi, p0), s.outPlane, 0f, col, 0, p1 - p0);
                    Im2col.scatterAdd(g, col, c0, c1, p0, p1, dx, s.xAt(n, gi, 0));
                }
            }
        });
    }

    /**
     * With stride 1, the data gradient is itself a convolution: dy convolved with the kernel flipped and its
     * channel axes swapped, padded by {@code dilation*(k-1) - padding}. That runs on the gather path, which is
     * faster than scattering columns back. Returns null where the padding would be negative or a stride is not 1.
     */
    private static ConvGeometry transposedGeometry(ConvGeometry g) {
        int[] k = g.kernel(), s = g.stride(), p = g.padding(), d = g.dilation(), pad = new int[3];
        for (int i = 0; i < 3; i++) {
            pad[i] = d[i] * (k[i] - 1) - p[i];
            if (s[i] != 1 || pad[i] < 0) return null;
        }
        return new ConvGeometry(g.batch(), g.outChannels(), g.inChannels(), g.groups(), g.outSize(), k, s, pad, d);
    }

    /** w {@code [O, C/g, k]} to {@code [C, O/g, reversed k]}, group by group. */
    private static float[] flipWeights(ConvGeometry g, float[] w) {
        int cg = g.inChannels() / g.groups(), og = g.outChannels() / g.groups(), kv = g.kernelVolume();
        float[] f = new float[g.outChannels() * cg * kv];
        for (int gi = 0; gi < g.groups(); gi++) {
            for (int o = 0; o < og; o++) {
                for (int c = 0; c < cg; c++) {
                    int src = ((gi * og + o) * cg + c) * kv, dst = ((gi * cg + c) * og + o) * kv;
                    for (int t = 0; t < kv; t++) f[dst + t] = w[src + kv - 1 - t];
                }
            }
        }
        return f;
    }

    public static void backwardWeight(ConvGeometry g, float[] x, float[] dy, float[] dw) {
        Shape s = new Shape(g, x.length, dw.length, dy.length, "dy");
        Arrays.fill(dw, 0, g.outChannels() * s.rows, 0f);
        if (g.pointwise()) {
            for (int gi = 0; gi < g.groups(); gi++) {
                for (int n = 0; n < g.batch(); n++) {
                    Gemm.sgemm(false, true, s.og, s.cg, s.outPlane, 1f, dy, s.yAt(n, gi, 0), s.outPlane, x,
                            s.xAt(n, gi, 0), s.outPlane, 1f, dw, gi * s.og * s.cg, s.cg);
                }
            }
            return;
        }
        // Tasks own disjoint column ranges of dw (input-channel chunks); each sums samples and tiles in order.
        int chunk = (s.cg + CHANNEL_CHUNKS - 1) / CHANNEL_CHUNKS, chunks = (s.cg + chunk - 1) / chunk;
        int kv = g.kernelVolume();
        Parallel.forRange(g.groups() * chunks, 1, (from, to) -> {
            float[] col = colBuffer(chunk * kv * s.tile);
            for (int u = from; u < to; u++) {
                int gi = u / chunks, c0 = u % chunks * chunk, c1 = Math.min(s.cg, c0 + chunk);
                for (int n = 0; n < g.batch(); n++) {
                    for (int p0 = 0; p0 < s.outPlane; p0 += s.tile) {
                        int p1 = Math.min(s.outPlane, p0 + s.tile);
                        Im2col.gather(g, x, s.xAt(n, gi, 0), c0, c1, p0, p1, col);
                        Gemm.sgemm(false, true, s.og, (c1 - c0) * kv, p1 - p0, 1f, dy, s.yAt(n, gi, p0),
                                s.outPlane, col, 0, p1 - p0, 1f, dw, gi * s.og * s.rows + c0 * kv, s.rows);
                    }
                }
            }
        });
    }

    public static void forward(ConvGeometry g, double[] x, double[] w, double[] y) {
        new Shape(g, x.length, w.length, y.length, "y");
        DirectConv.forward(g, x, w, y);
    }

    public static void backwardData(ConvGeometry g, double[] dy, double[] w, double[] dx) {
        new Shape(g, dx.length, w.length, dy.length, "dy");
        DirectConv.backwardData(g, dy, w, dx);
    }

    public static void backwardWeight(ConvGeometry g, double[] x, double[] dy, double[] dw) {
        new Shape(g, x.length, dw.length, dy.length, "dy");
        DirectConv.backwardWeight(g, x, dy, dw);
    }

    private static float[] colBuffer(int size) {
        float[] col = COL.get();
        if (col == null || col.length < size) COL.set(col = new float[size]);
        return col;
    }

    /** Derived sizes and array-length checks shared by the float passes. */
    private static final class Shape {
        final int cg, og, rows, inPlane, outPlane, tile, tiles, inChannels, outChannels;

        Shape(ConvGeometry g, int xLen, int wLen, int yLen, String yName) {
            cg = g.inChannels() / g.groups();
            og = g.outChannels() / g.groups();
            rows = cg * g.kernelVolume();
            inPlane = g.inPlane();
            outPlane = g.outPlane();
            inChannels = g.inChannels();
            outChannels = g.outChannels();
            need("x", xLen, (long) g.batch() * inChannels * inPlane);
            need("w", wLen, (long) outChannels * rows);
            need(yName, yLen, (long) g.batch() * outChannels * outPlane);
            // Tile width: a multiple of the GEMM's column block unless the whole plane is narrower.
            int t = Math.max(32, COL_FLOATS / rows / 32 * 32);
            tile = Math.min(outPlane, t);
            tiles = (outPlane + tile - 1) / tile;
        }

        private static void need(String name, int len, long want) {
            if (len < want) throw new IllegalArgumentException(name + " has " + len + " elements, needs " + want);
        }

        /** Index of x[n, gi*cg + c, 0] (also dx). */
        int xAt(int n, int gi, int c) {
            return ((n * inChannels) + gi * cg + c) * inPlane;
        }

        /** Index of y[n, gi*og, p] (also dy). */
        int yAt(int n, int gi, int p) {
            return ((n * outChannels) + gi * og) * outPlane + p;
        }
    }
}

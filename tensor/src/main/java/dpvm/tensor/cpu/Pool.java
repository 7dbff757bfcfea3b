package dpvm.tensor.cpu;

import java.util.Arrays;

/**
 * Max, average and adaptive-average pooling over contiguous planes {@code [planes, D, H, W]}, as in PyTorch.
 * Windows come from {@link PoolWindows}; the loops here only walk them, in parallel over planes, so backward adds
 * never race and results do not depend on the thread count. Outputs ({@code y}, {@code dx}) are overwritten.
 * {@code argmax} holds, per output, the in-plane index of the winning input; padding never wins, and a NaN in a
 * window wins (the last one, as PyTorch's CPU kernel) so NaN propagates.
 */
public final class Pool {
    private Pool() {}

    public static void maxForward(PoolGeometry g, float[] x, float[] y, int[] argmax) {
        PoolWindows win = PoolWindows.max(g);
        check(g.planes(), g.inPlane(), win, x.length, y.length, argmax.length);
        forPlanes(g.planes(), win, (pl, xb, yb) -> {
            for (int j = 0; j < win.outputs(); j++) {
                float best = Float.NEGATIVE_INFINITY;
                int arg = win.start[j] < win.start[j + 1] ? win.taps[win.start[j]] : -1;
                for (int t = win.start[j]; t < win.start[j + 1]; t++) {
                    float v = x[xb + win.taps[t]];
                    if (v > best || Float.isNaN(v)) {
                        best = v;
                        arg = win.taps[t];
                    }
                }
                y[yb + j] = best;
                argmax[yb + j] = arg;
            }
        }, g.inPlane());
    }

    public static void maxForward(PoolGeometry g, double[] x, double[] y, int[] argmax) {
        PoolWindows win = PoolWindows.max(g);
        check(g.planes(), g.inPlane(), win, x.length, y.length, argmax.length);
        forPlanes(g.planes(), win, (pl, xb, yb) -> {
            for (int j = 0; j < win.outputs(); j++) {
                double best = Double.NEGATIVE_INFINITY;
                int arg = win.start[j] < win.start[j + 1] ? win.taps[win.start[j]] : -1;
                for (int t = win.start[j]; t < win.start[j + 1]; t++) {
                    double v = x[xb + win.taps[t]];
                    if (v > best || Double.isNaN(v)) {
                        best = v;
                        arg = win.taps[t];
                    }
                }
                y[yb + j] = best;
                argmax[yb + j] = arg;
            }
        }, g.inPlane());
    }

    /** Routes each output gradient to its window's winner; overlapping windows accumulate. */
    public static void maxBackward(PoolGeometry g, float[] dy, int[] argmax, float[] dx) {
        int in = g.inPlane(), out = g.outPlane();
        checkLengths(g.planes(), in, out, dx.length, dy.length, argmax.length);
        Parallel.forRange(g.planes(), grain(out), (from, to) -> {
            Arrays.fill(dx, from * in, to * in, 0f);
            for (int pl = from; pl < to; pl++) {
                for (int j = pl * out; j < (pl + 1) * out; j++) {
                    if (argmax[j] >= 0) dx[pl * in + argmax[j]] += dy[j];
                }
            }
        });
    }

    public static void maxBackward(PoolGeometry g, double[] dy, int[] argmax, double[] dx) {
        int in = g.inPlane(), out = g.outPlane();
        checkLengths(g.planes(), in, out, dx.length, dy.length, argmax.length);
        Parallel.forRange(g.planes(), grain(out), (from, to) -> {
            Arrays.fill(dx, from * in, to * in, 0d);
            for (int pl = from; pl < to; pl++) {
                for (int j = pl * out; j < (pl + 1) * out; j++) {
                    if (argmax[j] >= 0) dx[pl * in + argmax[j]] += dy[j];
                }
            }
        });
    }

    public static void avgForward(PoolGeometry g, boolean countIncludePad, float[] x, float[] y) {
        average(g.planes(), g.inPlane(), PoolWindows.average(g, countIncludePad), x, y);
    }

    public static void avgForward(PoolGeometry g, boolean countIncludePad, double[] x, double[] y) {
        average(g.planes(), g.inPlane(), PoolWindows.average(g, countIncludePad), x, y);
    }

    public static void avgBackward(PoolGeometry g, boolean countIncludePad, float[] dy, float[] dx) {
        spread(g.planes(), g.inPlane(), PoolWindows.average(g, countIncludePad), dy, dx);
    }

    public static void avgBackward(PoolGeometry g, boolean countIncludePad, double[] dy, double[] dx) {
        spread(g.planes(), g.inPlane(), PoolWindows.average(g, countIncludePad), dy, dx);
    }

    public static void adaptiveAvgForward(int planes, int[] inSize, int[] outSize, float[] x, float[] y) {
        average(planes, volume(inSize), PoolWindows.adaptive(inSize, outSize), x, y);
    }

    public static void adaptiveAvgForward(int planes, int[] inSize, int[] outSize, double[] x, double[] y) {
        average(planes, volume(inSize), PoolWindows.adaptive(inSize, outSize), x, y);
    }

    public static void adaptiveAvgBackward(int planes, int[] inSize, int[] outSize, float[] dy, float[] dx) {
        spread(planes, volume(inSize), PoolWindows.adaptive(inSize, outSize), dy, dx);
    }

    public static void adaptiveAvgBackward(int planes, int[] inSize, int[] outSize, double[] dy, double[] dx) {
        spread(planes, volume(inSize), PoolWindows.adaptive(inSize, outSize), dy, dx);
    }

    /** Window sums accumulate in double for both types (PyTorch's CPU accumulation type for float). */
    private static void average(int planes, int in, PoolWindows win, float[] x, float[] y) {
        check(planes, in, win, x.length, y.length, -1);
        forPlanes(planes, win, (pl, xb, yb) -> {
            for (int j = 0; j < win.outputs(); j++) {
                double sum = 0;
                for (int t = win.start[j]; t < win.start[j + 1]; t++) sum += x[xb + win.taps[t]];
                y[yb + j] = (float) (sum / win.divisor[j]);
            }
        }, in);
    }

    private static void average(int planes, int in, PoolWindows win, double[] x, double[] y) {
        check(planes, in, win, x.length, y.length, -1);
        forPlanes(planes, win, (pl, xb, yb) -> {
            for (int j = 0; j < win.outputs(); j++) {
                double sum = 0;
                for (int t = win.start[j]; t < win.start[j + 1]; t++) sum += x[xb + win.taps[t]];
                y[yb + j] = sum / win.divisor[j];
            }
        }, in);
    }

    private static void spread(int planes, int in, PoolWindows win, float[] dy, float[] dx) {
        check(planes, in, win, dx.length, dy.length, -1);
        forPlanes(planes, win, (pl, xb, yb) -> {
            Arrays.fill(dx, xb, xb + in, 0f);
            for (int j = 0; j < win.outputs(); j++) {
                float share = dy[yb + j] / win.divisor[j];
                for (int t = win.start[j]; t < win.start[j + 1]; t++) dx[xb + win.taps[t]] += share;
            }
        }, in);
    }

    private static void spread(int planes, int in, PoolWindows win, double[] dy, double[] dx) {
        check(planes, in, win, dx.length, dy.length, -1);
        forPlanes(planes, win, (pl, xb, yb) -> {
            Arrays.fill(dx, xb, xb + in, 0d);
            for (int j = 0; j < win.outputs(); j++) {
                double share = dy[yb + j] / win.divisor[j];
                for (int t = win.start[j]; t < win.start[j + 1]; t++) dx[xb + win.taps[t]] += share;
            }
        }, in);
    }

    private interface PlaneBody {
        /** Plane {@code pl}, whose input starts at {@code xb} and output at {@code yb}. */
        void run(int pl, int xb, int yb);
    }

    private static void forPlanes(int planes, PoolWindows win, PlaneBody body, int in) {
        int out = win.outputs();
        Parallel.forRange(planes, grain(win.taps.length + out), (from, to) -> {
            for (int pl = from; pl < to; pl++) body.run(pl, pl * in, pl * out);
        });
    }

    /** Planes per task so that a task has some thousands of element visits. */
    private static int grain(int workPerPlane) {
        return Math.max(1, (1 << 14) / Math.max(1, workPerPlane));
    }

    private static int volume(int[] size) {
        return ConvGeometry.spatial("inSize", size, 1)[0] * size[1] * size[2];
    }

    private static void check(int planes, int in, PoolWindows win, int xLen, int yLen, int argLen) {
        checkLengths(planes, in, win.outputs(), xLen, yLen, argLen < 0 ? Integer.MAX_VALUE : argLen);
    }

    private static void checkLengths(int planes, int in, int out, int xLen, int yLen, int argLen) {
        if (planes < 0) throw new IllegalArgumentException("planes " + planes + " is negative");
        if (xLen < (long) planes * in || yLen < (long) planes * out || argLen < (long) planes * out) {
            throw new IllegalArgumentException("arrays too short for " + planes + " planes of " + in + " inputs and "
                    + out + " outputs: x/dx " + xLen + ", y/dy " + yLen + ", argmax " + argLen);
        }
    }
}

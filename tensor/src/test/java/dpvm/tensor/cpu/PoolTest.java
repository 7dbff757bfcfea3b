package dpvm.tensor.cpu;

import static dpvm.tensor.cpu.TestArrays.dot;
import static dpvm.tensor.cpu.TestArrays.random;
import static dpvm.tensor.cpu.TestArrays.toFloat;
import static dpvm.tensor.cpu.TestArrays.v;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolTest {
    private static PoolGeometry geo(int planes, int[] in, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        return new PoolGeometry(planes, in, k, s, p, d, ceil);
    }

    private static List<PoolGeometry> geometries(boolean dilated) {
        int[] one = v(1, 1, 1), zero = v(0, 0, 0);
        List<PoolGeometry> gs = new ArrayList<>();
        gs.add(geo(3, v(1, 7, 9), v(1, 2, 2), v(1, 2, 2), zero, one, false));
        gs.add(geo(2, v(1, 7, 9), v(1, 3, 3), v(1, 2, 2), v(0, 1, 1), one, true));
        gs.add(geo(2, v(1, 8, 8), v(1, 3, 3), v(1, 1, 1), v(0, 1, 1), one, false));
        gs.add(geo(2, v(5, 6, 7), v(3, 3, 3), v(2, 2, 2), v(1, 1, 1), one, true));
        gs.add(geo(1, v(4, 9, 10), v(2, 3, 2), v(2, 3, 2), v(1, 1, 0), one, true));
        gs.add(geo(4, v(1, 1, 13), v(1, 1, 4), v(1, 1, 3), v(0, 0, 2), one, true));
        if (dilated) {
            gs.add(geo(2, v(1, 9, 11), v(1, 3, 3), v(1, 2, 1), v(0, 1, 1), v(1, 2, 3), false));
            gs.add(geo(2, v(5, 6, 8), v(2, 2, 3), v(1, 2, 2), v(1, 1, 1), v(2, 1, 2), true));
        }
        return gs;
    }

    /**
     * Naive pooling straight from PyTorch's definition. mode 0: max (value, index into {@code arg}); 1: average
     * counting padding; 2: average over valid inputs only.
     */
    private static double[] naive(PoolGeometry g, int mode, double[] x, int[] arg) {
        int[] in = g.inSize(), out = g.outSize(), k = g.kernel(), s = g.stride(), p = g.padding(), d = g.dilation();
        int inPlane = in[0] * in[1] * in[2], outPlane = out[0] * out[1] * out[2];
        double[] y = new double[g.planes() * outPlane];
        for (int pl = 0; pl < g.planes(); pl++) {
            for (int o0 = 0; o0 < out[0]; o0++) {
                for (int o1 = 0; o1 < out[1]; o1++) {
                    for (int o2 = 0; o2 < out[2]; o2++) {
                        double best = Double.NEGATIVE_INFINITY, sum = 0;
                        int bestAt = -1, valid = 0, padded = 1;
                        int[] o = {o0, o1, o2};
                        for (int dim = 0; dim < 3; dim++) {
                            int st = o[dim] * s[dim] - p[dim];
                            padded *= Math.min(st + k[dim], in[dim] + p[dim]) - st;
                        }
                        for (int k0 = 0; k0 < k[0]; k0++) {
                            for (int k1 = 0; k1 < k[1]; k1++) {
                                for (int k2 = 0; k2 < k[2]; k2++) {
                                    int i0 = o0 * s[0] - p[0] + k0 * d[0], i1 = o1 * s[1] - p[1] + k1 * d[1];
                                    int i2 = o2 * s[2] - p[2] + k2 * d[2];
                                    if (i0 < 0 || i1 < 0 || i2 < 0 || i0 >= in[0] || i1 >= in[1] || i2 >= in[2]) {
                                        continue;
                                    }
                                    int at = (i0 * in[1] + i1) * in[2] + i2;
                                    double xv = x[pl * inPlane + at];
                                    if (bestAt < 0 || xv > best || Double.isNaN(xv)) {
                                        best = xv;
                                        bestAt = at;
                                    }
                                    sum += xv;
                                    valid++;
                                }
                            }
                        }
                        int j = pl * outPlane + (o0 * out[1] + o1) * out[2] + o2;
                        y[j] = mode == 0 ? best : sum / (mode == 1 ? padded : valid);
                        if (arg != null) arg[j] = bestAt;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void maxForwardMatchesNaiveInFloatAndDouble() {
        Random rnd = new Random(20);
        for (PoolGeometry g : geometries(true)) {
            double[] x = random(rnd, g.planes() * g.inPlane());
            int[] wantArg = new int[g.planes() * g.outPlane()];
            double[] want = naive(g, 0, x, wantArg);
            double[] y = new double[want.length];
            float[] yf = new float[want.length];
            int[] arg = new int[want.length], argf = new int[want.length];
            Pool.maxForward(g, x, y, arg);
            Pool.maxForward(g, toFloat(x), yf, argf);
            assertArrayEquals(want, y, g.toString());
            assertArrayEquals(toFloat(want), yf, g.toString());
            assertArrayEquals(wantArg, arg, g.toString());
            assertArrayEquals(wantArg, argf, g.toString());
        }
    }

    @Test
    void averageForwardMatchesNaiveWithAndWithoutPadCounting() {
        Random rnd = new Random(21);
        for (PoolGeometry g : geometries(false)) {
            for (boolean include : new boolean[] {true, false}) {
                double[] x = random(rnd, g.planes() * g.inPlane());
                double[] want = naive(g, include ? 1 : 2, x, null);
                double[] y = new double[want.length];
                float[] yf = new float[want.length];
                Pool.avgForward(g, include, x, y);
                Pool.avgForward(g, include, toFloat(x), yf);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], y[i], 1e-12, g + " include=" + include);
                    assertEquals(want[i], yf[i], 1e-6, g + " include=" + include);
                }
            }
        }
    }

    @Test
    void backwardPassesAreAdjointsOfForward() {
        Random rnd = new Random(22);
        for (PoolGeometry g : geometries(false)) {
            int in = g.planes() * g.inPlane(), out = g.planes() * g.outPlane();
            double[] x = random(rnd, in), dy = random(rnd, out), y = new double[out], dx = new double[in];
            int[] arg = new int[out];
            Pool.maxForward(g, x, y, arg);
            java.util.Arrays.fill(dx, Double.NaN);
            Pool.maxBackward(g, dy, arg, dx);
            // y = x[argmax] is linear in x for a fixed argmax, so <dy, y> = <dx, x>.
            assertEquals(dot(dy, y), dot(dx, x), 1e-12, "max " + g);
            float[] dxf = new float[in];
            Pool.maxBackward(g, toFloat(dy), arg, dxf);
            for (int i = 0; i < in; i++) assertEquals(dx[i], dxf[i], 1e-6, "max float " + g);
            for (boolean include : new boolean[] {true, false}) {
                Pool.avgForward(g, include, x, y);
                java.util.Arrays.fill(dx, Double.NaN);
                Pool.avgBackward(g, include, dy, dx);
                assertEquals(dot(dy, y), dot(dx, x), 1e-12, "avg " + g);
                Pool.avgBackward(g, include, toFloat(dy), dxf);
                for (int i = 0; i < in; i++) assertEquals(dx[i], dxf[i], 1e-6, "avg float " + g);
            }
        }
    }

    @Test
    void handComputedMaxWithArgmaxAndOverlapAccumulation() {
        // 1 x 3 x 3 plane, kernel 2, stride 1: windows overlap on the centre.
        PoolGeometry g = geo(1, v(1, 3, 3), v(1, 2, 2), v(1, 1, 1), v(0, 0, 0), v(1, 1, 1), false);
        float[] x = {1, 2, 3, 4, 9, 5, 6, 7, 8};
        float[] y = new float[4];
        int[] arg = new int[4];
        Pool.maxForward(g, x, y, arg);
        assertArrayEquals(new float[] {9, 9, 9, 9}, y);
        assertArrayEquals(new int[] {4, 4, 4, 4}, arg);
        float[] dx = new float[9];
        Pool.maxBackward(g, new float[] {1, 2, 3, 4}, arg, dx);
        assertArrayEquals(new float[] {0, 0, 0, 0, 10, 0, 0, 0, 0}, dx);
    }

    @Test
    void paddingNeverWinsAndNaNPropagates() {
        PoolGeometry g = geo(1, v(1, 1, 4), v(1, 1, 3), v(1, 1, 2), v(0, 0, 1), v(1, 1, 1), false);
        // Windows: [pad, 0, 1] and [1, 2, 3].
        float[] y = new float[2];
        int[] arg = new int[2];
        Pool.maxForward(g, new float[] {-5, -3, -7, -1}, y, arg);
        assertArrayEquals(new float[] {-3, -1}, y);
        assertArrayEquals(new int[] {1, 3}, arg);
        Pool.maxForward(g, new float[] {-5, -3, Float.NaN, 8}, y, arg);
        assertEquals(-3f, y[0]);
        assertTrue(Float.isNaN(y[1]));
        assertEquals(2, arg[1]);
        float[] allNegInf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 0, 0};
        Pool.maxForward(g, allNegInf, y, arg);
        assertEquals(Float.NEGATIVE_INFINITY, y[0]);
        assertEquals(0, arg[0], "an all -inf window still picks a real input, not padding");
    }

    @Test
    void handComputedAverageWithPadding() {
        // x = [1 2 3], kernel 2, stride 2, padding 1: windows [pad, 1] and [2, 3].
        PoolGeometry g = geo(1, v(1, 1, 3), v(1, 1, 2), v(1, 1, 2), v(0, 0, 1), v(1, 1, 1), false);
        float[] y = new float[2];
        Pool.avgForward(g, true, new float[] {1, 2, 3}, y);
        assertArrayEquals(new float[] {0.5f, 2.5f}, y);
        Pool.avgForward(g, false, new float[] {1, 2, 3}, y);
        assertArrayEquals(new float[] {1f, 2.5f}, y);
        float[] dx = new float[3];
        Pool.avgBackward(g, true, new float[] {2, 4}, dx);
        assertArrayEquals(new float[] {1, 2, 2}, dx);
    }

    @Test
    void adaptiveAverageUsesPyTorchWindows() {
        // in 5 -> out 3 along W: windows [0,2), [1,4), [3,5).
        float[] y = new float[3];
        Pool.adaptiveAvgForward(1, v(1, 1, 5), v(1, 1, 3), new float[] {1, 2, 3, 4, 10}, y);
        assertArrayEquals(new float[] {1.5f, 3f, 7f}, y);
        float[] dx = new float[5];
        Pool.adaptiveAvgBackward(1, v(1, 1, 5), v(1, 1, 3), new float[] {2, 3, 4}, dx);
        assertArrayEquals(new float[] {1, 1 + 1, 1, 1 + 2, 2}, dx);
        // Global pooling over a 3-d plane, two planes, in double.
        Random rnd = new Random(23);
        double[] x = random(rnd, 2 * 60), yd = new double[2];
        Pool.adaptiveAvgForward(2, v(3, 4, 5), v(1, 1, 1), x, yd);
        for (int pl = 0; pl < 2; pl++) {
            double s = 0;
            for (int i = 0; i < 60; i++) s += x[pl * 60 + i];
            assertEquals(s / 60, yd[pl], 1e-12);
        }
        double[] dy = random(rnd, 2 * 3 * 2 * 4), dxd = new double[x.length], yy = new double[dy.length];
        Pool.adaptiveAvgForward(2, v(3, 4, 5), v(3, 2, 4), x, yy);
        Pool.adaptiveAvgBackward(2, v(3, 4, 5), v(3, 2, 4), dy, dxd);
        assertEquals(dot(dy, yy), dot(dxd, x), 1e-12);
    }

    @Test
    void outSizeFollowsPyTorchCeilMode() {
        int[] one = v(1, 1, 1);
        // W: in 4, k 2, s 3, p 1: floor gives 2; ceil gives 3, but the third window would start at 5 >= 4 + 1.
        assertArrayEquals(v(1, 1, 2), geo(1, v(1, 1, 4), v(1, 1, 2), v(1, 1, 3), v(0, 0, 1), one, true).outSize());
        // in 5, k 2, s 2: floor 2, ceil 3 (last window starts at 4, inside the input).
        assertArrayEquals(v(1, 1, 2), geo(1, v(1, 1, 5), v(1, 1, 2), v(1, 1, 2), v(0, 0, 0), one, false).outSize());
        assertArrayEquals(v(1, 1, 3), geo(1, v(1, 1, 5), v(1, 1, 2), v(1, 1, 2), v(0, 0, 0), one, true).outSize());
        // 112 -> 56 for the usual 3x3 stride-2 pad-1 pooling.
        assertArrayEquals(v(1, 56, 56),
                geo(1, v(1, 112, 112), v(1, 3, 3), v(1, 2, 2), v(0, 1, 1), one, false).outSize());
    }

    @Test
    void geometryRejectsBadShapes() {
        int[] one = v(1, 1, 1), zero = v(0, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> geo(1, v(1, 1, 4), v(1, 1, 2), one, v(0, 0, 2), one, false));
        assertThrows(IllegalArgumentException.class, () -> geo(1, v(1, 1, 2), v(1, 1, 3), one, zero, one, false));
        assertThrows(IllegalArgumentException.class, () -> geo(1, v(1, 1, 4), v(1, 1, 2), v(0, 1, 1), zero, one, false));
        assertThrows(IllegalArgumentException.class, () -> geo(-1, v(1, 1, 4), one, one, zero, one, false));
        PoolGeometry dilated = geo(1, v(1, 1, 9), v(1, 1, 2), one, zero, v(1, 1, 2), false);
        assertThrows(IllegalArgumentException.class, () -> Pool.avgForward(dilated, true, new float[9], new float[7]));
        PoolGeometry g = geo(2, v(1, 1, 4), v(1, 1, 2), v(1, 1, 2), zero, one, false);
        assertThrows(IllegalArgumentException.class, () -> Pool.maxForward(g, new float[8], new float[4], new int[3]));
    }
}

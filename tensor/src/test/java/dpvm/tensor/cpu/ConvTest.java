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

class ConvTest {
    private static ConvGeometry geo(int n, int c, int o, int groups, int[] in, int[] k, int[] s, int[] p, int[] d) {
        return new ConvGeometry(n, c, o, groups, in, k, s, p, d);
    }

    /** 1-d, 2-d and 3-d geometries with groups, stride, padding, dilation, odd sizes and pointwise kernels. */
    private static List<ConvGeometry> geometries() {
        List<ConvGeometry> gs = new ArrayList<>();
        int[] one = v(1, 1, 1), zero = v(0, 0, 0);
        gs.add(geo(2, 3, 4, 1, v(1, 1, 11), v(1, 1, 3), one, v(0, 0, 1), one));
        gs.add(geo(1, 4, 6, 2, v(1, 1, 17), v(1, 1, 5), v(1, 1, 2), v(0, 0, 2), v(1, 1, 2)));
        gs.add(geo(2, 3, 5, 1, v(1, 7, 9), v(1, 3, 3), one, v(0, 1, 1), one));
        gs.add(geo(1, 6, 6, 3, v(1, 8, 7), v(1, 3, 2), v(1, 2, 3), v(0, 1, 0), v(1, 2, 1)));
        gs.add(geo(2, 4, 4, 4, v(1, 6, 6), v(1, 3, 3), one, v(0, 2, 2), v(1, 2, 2)));
        gs.add(geo(2, 5, 3, 1, v(3, 5, 6), v(3, 3, 3), one, one, one));
        gs.add(geo(1, 4, 6, 2, v(5, 4, 7), v(2, 3, 1), v(2, 1, 2), v(1, 0, 0), v(2, 1, 1)));
        gs.add(geo(3, 2, 3, 1, v(4, 4, 4), one, one, zero, one));
        gs.add(geo(2, 6, 4, 2, v(3, 3, 5), one, one, zero, one));
        gs.add(geo(1, 3, 2, 1, v(2, 5, 5), one, v(1, 2, 2), zero, one));
        gs.add(geo(1, 2, 2, 1, v(2, 3, 3), one, one, v(1, 1, 1), one));
        gs.add(geo(1, 17, 9, 1, v(2, 9, 40), v(1, 3, 3), one, v(0, 1, 1), one));
        return gs;
    }

    private static int xLen(ConvGeometry g) {
        return g.batch() * g.inChannels() * g.inPlane();
    }

    private static int wLen(ConvGeometry g) {
        return g.outChannels() * g.inChannels() / g.groups() * g.kernelVolume();
    }

    private static int yLen(ConvGeometry g) {
        return g.batch() * g.outChannels() * g.outPlane();
    }

    /**
     * Forward written the other way round from the library's gather: every input element scatters into the
     * outputs that see it.
     */
    private static double[] naiveForward(ConvGeometry g, double[] x, double[] w) {
        int[] in = g.inSize(), out = g.outSize(), k = g.kernel(), s = g.stride(), p = g.padding(), d = g.dilation();
        int cg = g.inChannels() / g.groups(), og = g.outChannels() / g.groups();
        double[] y = new double[yLen(g)];
        for (int n = 0; n < g.batch(); n++) {
            for (int c = 0; c < g.inChannels(); c++) {
                for (int i0 = 0; i0 < in[0]; i0++) {
                    for (int i1 = 0; i1 < in[1]; i1++) {
                        for (int i2 = 0; i2 < in[2]; i2++) {
                            double xv = x[(((n * g.inChannels() + c) * in[0] + i0) * in[1] + i1) * in[2] + i2];
                            for (int o = c / cg * og; o < (c / cg + 1) * og; o++) {
                                for (int k0 = 0; k0 < k[0]; k0++) {
                                    for (int k1 = 0; k1 < k[1]; k1++) {
                                        for (int k2 = 0; k2 < k[2]; k2++) {
                                            int t0 = i0 + p[0] - k0 * d[0], t1 = i1 + p[1] - k1 * d[1];
                                            int t2 = i2 + p[2] - k2 * d[2];
                                            if (t0 % s[0] != 0 || t1 % s[1] != 0 || t2 % s[2] != 0) continue;
                                            int o0 = t0 / s[0], o1 = t1 / s[1], o2 = t2 / s[2];
                                            if (t0 < 0 || t1 < 0 || t2 < 0 || o0 >= out[0] || o1 >= out[1]
                                                    || o2 >= out[2]) continue;
                                            double wv = w[(((o * cg + c % cg) * k[0] + k0) * k[1] + k1) * k[2] + k2];
                                            y[(((n * g.outChannels() + o) * out[0] + o0) * out[1] + o1) * out[2]
                                                    + o2] += xv * wv;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    private static void assertClose(double[] want, float[] got, double tol, String what) {
        double scale = 0;
        for (double x : want) scale = Math.max(scale, Math.abs(x));
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol * (1 + scale), what + " at " + i);
        }
    }

    @Test
    void doubleForwardMatchesScatterReference() {
        Random rnd = new Random(10);
        for (ConvGeometry g : geometries()) {
            double[] x = random(rnd, xLen(g)), w = random(rnd, wLen(g)), y = new double[yLen(g)];
            Conv.forward(g, x, w, y);
            double[] want = naiveForward(g, x, w);
            for (int i = 0; i < y.length; i++) assertEquals(want[i], y[i], 1e-12, g + " at " + i);
        }
    }

    @Test
    void doubleBackwardPassesAreAdjointsOfForward() {
        // <dy, conv(x, w)> is linear in x and in w; its gradients must satisfy the dot-product identities exactly
        // up to rounding: <dy, conv(x, w)> = <backwardData(dy), x> = <backwardWeight(x, dy), w>.
        Random rnd = new Random(11);
        for (ConvGeometry g : geometries()) {
            double[] x = random(rnd, xLen(g)), w = random(rnd, wLen(g)), dy = random(rnd, yLen(g));
            double[] y = new double[yLen(g)], dx = new double[xLen(g)], dw = new double[wLen(g)];
            java.util.Arrays.fill(dx, Double.NaN);
            java.util.Arrays.fill(dw, Double.NaN);
            Conv.forward(g, x, w, y);
            Conv.backwardData(g, dy, w, dx);
            Conv.backwardWeight(g, x, dy, dw);
            double lhs = dot(dy, y);
            assertEquals(lhs, dot(dx, x), 1e-10 * (1 + Math.abs(lhs)), "backwardData " + g);
            assertEquals(lhs, dot(dw, w), 1e-10 * (1 + Math.abs(lhs)), "backwardWeight " + g);
        }
    }

    @Test
    void gradientsMatchCentralDifferences() {
        // L(x, w) = <dy, conv(x, w)>; its exact gradients are backwardData(dy) and backwardWeight(x, dy).
        Random rnd = new Random(15);
        for (ConvGeometry g : geometries()) {
            double[] x = random(rnd, xLen(g)), w = random(rnd, wLen(g)), dy = random(rnd, yLen(g));
            double[] dx = new double[xLen(g)], dw = new double[wLen(g)];
            Conv.backwardData(g, dy, w, dx);
            Conv.backwardWeight(g, x, dy, dw);
            for (int probe = 0; probe < 4; probe++) {
                int i = rnd.nextInt(x.length), j = rnd.nextInt(w.length);
                assertEquals(dx[i], centralDifference(g, x, w, dy, x, i), 1e-7, "dx " + g);
                assertEquals(dw[j], centralDifference(g, x, w, dy, w, j), 1e-7, "dw " + g);
            }
        }
    }

    /** (L(v[at] + h) - L(v[at] - h)) / 2h, where {@code v} is x or w. */
    private static double centralDifference(ConvGeometry g, double[] x, double[] w, double[] dy, double[] v, int at) {
        double h = 1e-3, keep = v[at];
        double[] y = new double[yLen(g)];
        v[at] = keep + h;
        Conv.forward(g, x, w, y);
        double up = dot(dy, y);
        v[at] = keep - h;
        Conv.forward(g, x, w, y);
        double down = dot(dy, y);
        v[at] = keep;
        return (up - down) / (2 * h);
    }

    @Test
    void floatPassesMatchDoubleReference() {
        Random rnd = new Random(12);
        for (ConvGeometry g : geometries()) {
            double[] x = random(rnd, xLen(g)), w = random(rnd, wLen(g)), dy = random(rnd, yLen(g));
            double[] y = new double[yLen(g)], dx = new double[xLen(g)], dw = new double[wLen(g)];
            Conv.forward(g, x, w, y);
            Conv.backwardData(g, dy, w, dx);
            Conv.backwardWeight(g, x, dy, dw);
            float[] yf = new float[y.length], dxf = new float[dx.length], dwf = new float[dw.length];
            java.util.Arrays.fill(yf, Float.NaN);
            java.util.Arrays.fill(dxf, Float.NaN);
            java.util.Arrays.fill(dwf, Float.NaN);
            Conv.forward(g, toFloat(x), toFloat(w), yf);
            Conv.backwardData(g, toFloat(dy), toFloat(w), dxf);
            Conv.backwardWeight(g, toFloat(x), toFloat(dy), dwf);
            assertClose(y, yf, 1e-5, "forward " + g);
            assertClose(dx, dxf, 1e-5, "backwardData " + g);
            assertClose(dw, dwf, 1e-5, "backwardWeight " + g);
        }
    }

    @Test
    void floatMatchesOnATiledShapeWithManyChannels() {
        // Enough rows x positions that forward splits the plane into several column tiles.
        ConvGeometry g = geo(2, 40, 8, 1, v(3, 20, 30), v(3, 3, 3), one(), one(), one());
        Random rnd = new Random(13);
        double[] x = random(rnd, xLen(g)), w = random(rnd, wLen(g)), dy = random(rnd, yLen(g));
        double[] y = new double[yLen(g)], dx = new double[xLen(g)], dw = new double[wLen(g)];
        Conv.forward(g, x, w, y);
        Conv.backwardData(g, dy, w, dx);
        Conv.backwardWeight(g, x, dy, dw);
        float[] yf = new float[y.length], dxf = new float[dx.length], dwf = new float[dw.length];
        Conv.forward(g, toFloat(x), toFloat(w), yf);
        Conv.backwardData(g, toFloat(dy), toFloat(w), dxf);
        Conv.backwardWeight(g, toFloat(x), toFloat(dy), dwf);
        assertClose(y, yf, 1e-5, "forward");
        assertClose(dx, dxf, 1e-5, "backwardData");
        assertClose(dw, dwf, 1e-5, "backwardWeight");
        assertTrue(g.outPlane() * 40 * 27 > (1 << 20), "shape must need more than one column tile");
    }

    private static int[] one() {
        return v(1, 1, 1);
    }

    @Test
    void floatResultsAreBitIdenticalWhenRunSerially() {
        // Stride 1 takes the flipped-kernel data gradient; stride 2 scatters columns back by channel chunks.
        ConvGeometry[] gs = {geo(2, 12, 8, 2, v(3, 10, 12), v(3, 3, 3), one(), one(), one()),
            geo(2, 16, 8, 1, v(3, 11, 12), v(3, 3, 3), v(1, 2, 2), one(), one())};
        Random rnd = new Random(14);
        for (ConvGeometry g : gs) {
            float[] x = toFloat(random(rnd, xLen(g))), w = toFloat(random(rnd, wLen(g))), dy = toFloat(random(rnd, yLen(g)));
            float[][] par = {new float[yLen(g)], new float[xLen(g)], new float[wLen(g)]};
            float[][] ser = {new float[yLen(g)], new float[xLen(g)], new float[wLen(g)]};
            run(g, x, w, dy, par);
            // Inside a pool task every nested Parallel.forRange runs inline on that one thread.
            Parallel.forRange(2, 1, (from, to) -> {
                if (from == 0) run(g, x, w, dy, ser);
            });
            for (int i = 0; i < 3; i++) assertArrayEquals(ser[i], par[i], g + " output " + i);
        }
    }

    private static void run(ConvGeometry g, float[] x, float[] w, float[] dy, float[][] out) {
        Conv.forward(g, x, w, out[0]);
        Conv.backwardData(g, dy, w, out[1]);
        Conv.backwardWeight(g, x, dy, out[2]);
    }

    @Test
    void handComputedOneDimensionalCase() {
        // x = [1 2 3], w = [1 0 -1], padding 1: y[i] = x[i-1] - x[i+1] = [-2, -2, 2].
        ConvGeometry g = geo(1, 1, 1, 1, v(1, 1, 3), v(1, 1, 3), one(), v(0, 0, 1), one());
        float[] y = new float[3];
        Conv.forward(g, new float[] {1, 2, 3}, new float[] {1, 0, -1}, y);
        assertArrayEquals(new float[] {-2, -2, 2}, y);
        // With dy = [1 1 1]: dx0 = dy0*w1 + dy1*w0 = 1, dx1 = dy0*w2 + dy1*w1 + dy2*w0 = 0, dx2 = dy1*w2 + dy2*w1 = -1.
        float[] dx = new float[3];
        Conv.backwardData(g, new float[] {1, 1, 1}, new float[] {1, 0, -1}, dx);
        assertArrayEquals(new float[] {1, 0, -1}, dx);
        // dw[k] = sum_i dy[i] x[i - 1 + k] with dy = [1 1 1]: [0+1+2, 1+2+3, 2+3+0] = [3, 6, 5].
        float[] dw = new float[3];
        Conv.backwardWeight(g, new float[] {1, 2, 3}, new float[] {1, 1, 1}, dw);
        assertArrayEquals(new float[] {3, 6, 5}, dw);
    }

    @Test
    void outSizeFollowsPyTorch() {
        ConvGeometry g = geo(1, 1, 1, 1, v(16, 56, 57), v(3, 3, 3), v(1, 2, 2), v(1, 1, 0), v(1, 1, 2));
        // (16+2-2-1)/1+1 = 16, (56+2-2-1)/2+1 = 28, (57+0-4-1)/2+1 = 27
        assertArrayEquals(new int[] {16, 28, 27}, g.outSize());
    }

    @Test
    void geometryRejectsInconsistentShapes() {
        int[] one = one(), zero = v(0, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> geo(1, 3, 4, 2, v(1, 1, 5), one, one, zero, one));
        assertThrows(IllegalArgumentException.class, () -> geo(1, 4, 3, 2, v(1, 1, 5), one, one, zero, one));
        assertThrows(IllegalArgumentException.class, () -> geo(1, 1, 1, 1, v(1, 1, 2), v(1, 1, 3), one, zero, one));
        assertThrows(IllegalArgumentException.class, () -> geo(1, 1, 1, 1, new int[] {1, 5}, one, one, zero, one));
        assertThrows(IllegalArgumentException.class, () -> geo(1, 1, 1, 1, v(1, 1, 5), one, v(1, 0, 1), zero, one));
        assertThrows(IllegalArgumentException.class, () -> geo(1, 1, 1, 1, v(1, 1, 5), one, one, v(0, -1, 0), one));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> geo(1, 6, 4, 4, v(1, 1, 5), one, one, zero, one));
        assertTrue(e.getMessage().contains("groups"), e.getMessage());
        ConvGeometry g = geo(1, 2, 2, 1, v(1, 1, 5), one, one, zero, one);
        assertThrows(IllegalArgumentException.class, () -> Conv.forward(g, new float[9], new float[4], new float[10]));
    }
}

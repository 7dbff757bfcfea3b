package dpvm.tensor.cpu;

import java.util.Random;

/** Array helpers shared by the kernel tests: float32-representable random data, conversion, dot products. */
final class TestArrays {
    private TestArrays() {}

    static int[] v(int d, int h, int w) {
        return new int[] {d, h, w};
    }

    /** Uniform in [-1, 1), rounded to float32 so float kernels see exactly the double reference's inputs. */
    static double[] random(Random rnd, int len) {
        double[] x = new double[len];
        for (int i = 0; i < len; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    static float[] toFloat(double[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (float) x[i];
        return y;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}

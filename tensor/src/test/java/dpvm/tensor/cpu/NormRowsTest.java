package dpvm.tensor.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The layer-norm row kernels: the Vector API version gives the scalar version's bits, at every row length. */
class NormRowsTest {
    @Test
    void vectorAndScalarRowKernelsAgreeBitForBit() {
        CpuNorm.FloatRows vector = new VectorNorm(), scalar = CpuNorm.SCALAR;
        Random rnd = new Random(7);
        for (int n = 0; n <= 70; n++) {
            for (int off : new int[] {0, 3}) {
                float[] x = new float[off + n + 5], w = new float[off + n], b = new float[off + n];
                for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 3 + 100);
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) rnd.nextGaussian();
                    b[i] = (float) rnd.nextGaussian();
                }
                double[] sv = new double[2], ss = new double[2];
                vector.stats(x, off, n, sv);
                scalar.stats(x, off, n, ss);
                assertArrayEquals(ss, sv, 0, "statistics, n = " + n);
                for (int affine = 0; affine < 4; affine++) {
                    float[] wa = (affine & 1) != 0 ? w : null, ba = (affine & 2) != 0 ? b : null;
                    float[] yv = new float[n + 2], ys = new float[n + 2];
                    vector.normalise(x, off, yv, 2, n, 100.25f, 0.3f, wa, off, ba, off);
                    scalar.normalise(x, off, ys, 2, n, 100.25f, 0.3f, wa, off, ba, off);
                    assertArrayEquals(ys, yv, 0, "normalised, n = " + n + ", affine " + affine);
                }
            }
        }
    }

    @Test
    void statisticsSurviveAMeanFarFromZero() {
        float[] x = new float[1001];
        for (int i = 0; i < x.length; i++) x[i] = 1e4f + (i % 2 == 0 ? 0.5f : -0.5f);
        double[] st = new double[2];
        CpuNorm.statsF(x, 0, x.length, st);
        // 501 values of 1e4 + 0.5 and 500 of 1e4 - 0.5
        double mean = 1e4 + 0.5 / 1001;
        assertEquals(mean, st[0], 1e-9);
        assertEquals(0.25 - (0.5 / 1001) * (0.5 / 1001), st[1], 1e-12);
    }
}

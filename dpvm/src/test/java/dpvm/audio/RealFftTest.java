package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RealFftTest {

    @Test
    void handComputedFourPoints() {
        // X[k] = sum_t x[t] e^{-i pi k t / 2} for x = 1,2,3,4: 10, -2+2i, -2
        double[] re = new double[3];
        double[] im = new double[3];
        new RealFft(4).forward(new double[] {1, 2, 3, 4}, re, im);
        assertArrayEquals(new double[] {10, -2, -2}, re, 1e-12);
        assertArrayEquals(new double[] {0, 2, 0}, im, 1e-12);
    }

    @Test
    void matchesDirectDft() {
        for (int n : new int[] {2, 8, 64, 2048}) {
            Random rnd = new Random(n);
            double[] x = new double[n];
            for (int t = 0; t < n; t++) {
                x[t] = rnd.nextGaussian();
            }
            RealFft fft = new RealFft(n);
            double[] re = new double[fft.bins()];
            double[] im = new double[fft.bins()];
            fft.forward(x, re, im);
            for (int k = 0; k <= n / 2; k++) {
                double sr = 0, si = 0;
                for (int t = 0; t < n; t++) {
                    double a = -2 * Math.PI * ((long) k * t % n) / n;
                    sr += x[t] * Math.cos(a);
                    si += x[t] * Math.sin(a);
                }
                assertEquals(sr, re[k], 1e-9 * Math.sqrt(n), "re n=" + n + " k=" + k);
                assertEquals(si, im[k], 1e-9 * Math.sqrt(n), "im n=" + n + " k=" + k);
            }
        }
    }

    @Test
    void powerAndMagnitudeAgreeWithForward() {
        double[] x = {0.5, -1, 2, 0.25, 3, -2, 1, 0};
        RealFft fft = new RealFft(8);
        double[] re = new double[5];
        double[] im = new double[5];
        double[] p = new double[5];
        double[] m = new double[5];
        fft.forward(x, re, im);
        fft.power(x, p);
        fft.magnitude(x, m);
        for (int k = 0; k < 5; k++) {
            double expected = re[k] * re[k] + im[k] * im[k];
            assertEquals(expected, p[k], 1e-12);
            assertEquals(Math.sqrt(expected), m[k], 1e-12);
        }
    }

    @Test
    void rejectsNonPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new RealFft(400));
    }
}

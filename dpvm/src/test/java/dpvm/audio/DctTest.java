package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DctTest {

    @Test
    void orthonormalRowsGiveIdentity() {
        int n = 128;
        Dct d = new Dct(n, n);
        for (int a = 0; a < n; a++) {
            double[] ra = d.row(a);
            for (int b = 0; b < n; b++) {
                double[] rb = d.row(b);
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += ra[i] * rb[i];
                }
                assertEquals(a == b ? 1.0 : 0.0, dot, 1e-12, a + "," + b);
            }
        }
    }

    @Test
    void twoPointByHand() {
        // c0 = (x0 + x1)/sqrt2, c1 = sqrt(2/2)(x0 cos(pi/4) + x1 cos(3pi/4)) = (x0 - x1)/sqrt2
        double[] out = new double[2];
        new Dct(2, 2).apply(new double[] {3, 1}, out);
        assertArrayEquals(new double[] {4 / Math.sqrt(2), 2 / Math.sqrt(2)}, out, 1e-15);
    }

    @Test
    void constantInputHasOnlyTheDcTerm() {
        double[] x = new double[128];
        java.util.Arrays.fill(x, -100.0);
        double[] out = new double[20];
        new Dct(20, 128).apply(x, out);
        assertEquals(-100 * Math.sqrt(128), out[0], 1e-10);
        for (int k = 1; k < 20; k++) {
            assertEquals(0.0, out[k], 1e-10);
        }
    }
}

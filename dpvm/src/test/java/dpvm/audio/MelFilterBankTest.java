package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MelFilterBankTest {
    private static final int SR = 22050;
    private static final int NFFT = 2048;
    private static final int NMELS = 128;

    /** Band edges f_0..f_{n+1} of librosa's default bank. */
    private static double[] slaneyEdges() {
        double top = MelScale.SLANEY.hzToMel(SR / 2.0);
        double[] f = new double[NMELS + 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = MelScale.SLANEY.melToHz(top * i / (NMELS + 1));
        }
        return f;
    }

    private static double binHz(int k) {
        return (double) k * SR / NFFT;
    }

    @Test
    void librosaBandsAreZeroOutsideTheirEdges() {
        double[][] w = MelFilterBank.librosaDefault(SR, NFFT, NMELS).dense();
        double[] f = slaneyEdges();
        assertEquals(NMELS, w.length);
        assertEquals(NFFT / 2 + 1, w[0].length);
        for (int i = 0; i < NMELS; i++) {
            for (int k = 0; k < w[i].length; k++) {
                boolean inside = binHz(k) > f[i] + 1e-9 && binHz(k) < f[i + 2] - 1e-9;
                if (!inside) {
                    assertEquals(0.0, w[i][k], 0.0, "band " + i + " bin " + k);
                } else {
                    assertTrue(w[i][k] > 0, "band " + i + " bin " + k);
                }
            }
        }
    }

    @Test
    void librosaPeaksSitAtTheMiddleEdgeWithSlaneyHeight() {
        // The continuous triangle peaks at f_{i+1} with height 2/(f_{i+2}-f_i); the sampled maximum
        // is one of the two bins around f_{i+1}, lower by at most one bin's slope.
        double[][] w = MelFilterBank.librosaDefault(SR, NFFT, NMELS).dense();
        double[] f = slaneyEdges();
        double df = (double) SR / NFFT;
        for (int i = 0; i < NMELS; i++) {
            int arg = 0;
            for (int k = 1; k < w[i].length; k++) {
                if (w[i][k] > w[i][arg]) {
                    arg = k;
                }
            }
            assertTrue(Math.abs(binHz(arg) - f[i + 1]) < df, "band " + i);
            double height = 2.0 / (f[i + 2] - f[i]);
            double steepest = 1.0 / Math.min(f[i + 1] - f[i], f[i + 2] - f[i + 1]);
            assertTrue(w[i][arg] <= height * (1 + 1e-6), "band " + i);
            assertTrue(w[i][arg] >= height * (1 - steepest * df) - 1e-6, "band " + i);
        }
    }

    @Test
    void librosaPeakHertzAtOneKilohertzIsExact() {
        // Between 0 and 1 kHz Slaney mel is linear (3f/200), so edges are equally spaced in Hz:
        // f_i = i * 200/3 * hz_to_mel(11025)/129.
        double[] f = slaneyEdges();
        double step = 200.0 / 3.0 * MelScale.SLANEY.hzToMel(11025) / 129;
        for (int i = 0; f[i] < 1000; i++) {
            assertEquals(i * step, f[i], 1e-9);
        }
    }

    @Test
    void unnormalisedLibrosaTrianglesPartitionUnity() {
        // Adjacent triangles share edges, so between f_1 and f_n the unnormalised weights sum to 1;
        // undoing the Slaney factor 2/(f_{i+2}-f_i) must give the same.
        MelFilterBank bank = MelFilterBank.librosaDefault(SR, NFFT, NMELS);
        double[][] w = bank.dense();
        double[] f = slaneyEdges();
        for (int k = 0; k < w[0].length; k++) {
            if (binHz(k) < f[1] || binHz(k) > f[NMELS]) {
                continue;
            }
            double s = 0;
            for (int i = 0; i < NMELS; i++) {
                s += w[i][k] * (f[i + 2] - f[i]) / 2;
            }
            assertEquals(1.0, s, 1e-5, "bin " + k);
        }
        double[][] raw = MelFilterBank.librosa(SR, NFFT, NMELS, 0, SR / 2.0, MelScale.SLANEY, false).dense();
        for (int k = 0; k < raw[0].length; k++) {
            if (binHz(k) < f[1] || binHz(k) > f[NMELS]) {
                continue;
            }
            double s = 0;
            for (double[] row : raw) {
                s += row[k];
            }
            assertEquals(1.0, s, 1e-6, "bin " + k);
        }
    }

    @Test
    void slaneyNormalisedBandsHaveUnitAreaInHertz() {
        // Only wide bands (>= 20 bins) so the Riemann sum of the triangle is close to its integral.
        double[][] w = MelFilterBank.librosaDefault(SR, NFFT, NMELS).dense();
        double[] f = slaneyEdges();
        double df = (double) SR / NFFT;
        int checked = 0;
        for (int i = 0; i < NMELS; i++) {
            if (f[i + 2] - f[i] < 20 * df) {
                continue;
            }
            double area = 0;
            for (double v : w[i]) {
                area += v * df;
            }
            assertEquals(1.0, area, 1e-2, "band " + i);
            checked++;
        }
        assertTrue(checked >= 30, "only " + checked + " wide bands");
    }

    @Test
    void vggishBankZeroesDcAndStaysInside125To7500Hz() {
        double[][] w = MelFilterBank.vggish(16000, 257, 64, 125, 7500).dense();
        assertEquals(64, w.length);
        assertEquals(257, w[0].length);
        // bin k is at 31.25 k Hz: 125 Hz is bin 4 and 7500 Hz is bin 240, both exactly on an edge
        for (int m = 0; m < 64; m++) {
            for (int k = 0; k <= 4; k++) {
                assertEquals(0.0, w[m][k], 0.0);
            }
            for (int k = 240; k < 257; k++) {
                assertEquals(0.0, w[m][k], 0.0);
            }
        }
        assertTrue(w[0][5] > 0);
        assertTrue(w[63][239] > 0);
    }

    @Test
    void vggishTrianglesAreLinearInMelAndPartitionUnity() {
        double[][] w = MelFilterBank.vggish(16000, 257, 64, 125, 7500).dense();
        MelScale s = MelScale.HTK_LN;
        double lo = s.hzToMel(125), hi = s.hzToMel(7500);
        double step = (hi - lo) / 65;
        for (int k = 1; k < 257; k++) {
            double m = s.hzToMel(31.25 * k);
            double sum = 0;
            for (double[] row : w) {
                sum += row[k];
            }
            if (m >= lo + step && m <= hi - step) {
                assertEquals(1.0, sum, 1e-9, "bin " + k);
            }
            // Each weight is 1 - |m - centre| / step for the band whose centre is nearest.
            int band = (int) Math.round((m - lo) / step) - 1;
            if (band >= 0 && band < 64) {
                double expected = Math.max(0, 1 - Math.abs(m - (lo + (band + 1) * step)) / step);
                assertEquals(expected, w[band][k], 1e-9, "bin " + k);
            }
        }
    }

    @Test
    void applyMatchesDenseProduct() {
        MelFilterBank bank = MelFilterBank.librosaDefault(SR, NFFT, NMELS);
        double[][] w = bank.dense();
        double[] spec = new double[NFFT / 2 + 1];
        java.util.Random rnd = new java.util.Random(1);
        for (int k = 0; k < spec.length; k++) {
            spec[k] = rnd.nextDouble();
        }
        double[] out = new double[NMELS];
        bank.apply(spec, out);
        for (int m = 0; m < NMELS; m++) {
            double acc = 0;
            for (int k = 0; k < spec.length; k++) {
                acc += w[m][k] * spec[k];
            }
            assertEquals(acc, out[m], 1e-12);
        }
    }
}

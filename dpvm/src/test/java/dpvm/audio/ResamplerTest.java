package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResamplerTest {
    /** Samples skipped at each end so the filter (up to 177 input samples) sees no edge. */
    private static final int EDGE = 1000;

    private static float[] sine(int n, double freq, int sr, double amp) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) (amp * Math.sin(2 * Math.PI * freq * i / sr));
        }
        return y;
    }

    /**
     * Least-squares fit of a sin + b cos at {@code freq} over the interior; returns
     * {amplitude, rms of the residual, rms of the signal}. A wrong output frequency leaves the
     * tone in the residual.
     */
    private static double[] fit(float[] y, double freq, int sr) {
        double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0, yy = 0;
        int from = EDGE, to = y.length - EDGE;
        for (int i = from; i < to; i++) {
            double s = Math.sin(2 * Math.PI * freq * i / sr), c = Math.cos(2 * Math.PI * freq * i / sr);
            ss += s * s;
            cc += c * c;
            sc += s * c;
            ys += y[i] * s;
            yc += y[i] * c;
            yy += (double) y[i] * y[i];
        }
        double det = ss * cc - sc * sc;
        double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
        double res = 0;
        for (int i = from; i < to; i++) {
            double m = a * Math.sin(2 * Math.PI * freq * i / sr) + b * Math.cos(2 * Math.PI * freq * i / sr);
            res += (y[i] - m) * (y[i] - m);
        }
        int n = to - from;
        return new double[] {Math.hypot(a, b), Math.sqrt(res / n), Math.sqrt(yy / n)};
    }

    @Test
    void passbandTonesKeepFrequencyAndAmplitude() {
        // kaiser_best is flat to 1e-7 up to 0.85 of the lower Nyquist (measured); assert 1e-5, and
        // a residual 120 dB under the tone after fitting at the expected frequency.
        int[][] pairs = {{44100, 16000}, {48000, 16000}, {44100, 22050}, {16000, 22050}};
        for (int[] p : pairs) {
            Resampler r = Resampler.kaiserBest(p[0], p[1]);
            double nyq = Math.min(p[0], p[1]) / 2.0;
            for (double f : new double[] {100, 1000, 0.5 * nyq, 0.85 * nyq}) {
                float[] y = r.resample(sine(p[0], f, p[0], 0.5));
                double[] q = fit(y, f, p[1]);
                String where = p[0] + "->" + p[1] + " at " + f + " Hz";
                assertEquals(0.5, q[0], 0.5e-5, where);
                assertTrue(20 * Math.log10(q[1] / (0.5 / Math.sqrt(2))) < -120, where);
            }
        }
    }

    @Test
    void contentAboveTheOutputNyquistIsRemoved() {
        // Measured: >= 126 dB down from 1.02 x the output Nyquist, >= 150 dB from 1.05 x.
        int[][] pairs = {{44100, 16000}, {48000, 16000}, {44100, 22050}};
        for (int[] p : pairs) {
            Resampler r = Resampler.kaiserBest(p[0], p[1]);
            double nyq = p[1] / 2.0;
            double[][] cases = {{1.02, 120}, {1.05, 140}, {1.5, 140}, {0.95 * p[0] / 2 / nyq, 140}};
            for (double[] c : cases) {
                double f = c[0] * nyq;
                float[] y = r.resample(sine(p[0], f, p[0], 0.5));
                double db = 20 * Math.log10(fit(y, 0, p[1])[2] / (0.5 / Math.sqrt(2)));
                assertTrue(db < -c[1], p[0] + "->" + p[1] + " at " + f + " Hz: " + db + " dB");
            }
        }
    }

    @Test
    void outputLengthIsTheExactFloor() {
        Resampler r = Resampler.kaiserBest(44100, 16000);
        assertEquals(16000, r.outputLength(44100));
        assertEquals(0, r.outputLength(2));
        assertEquals(1, r.outputLength(3));
        assertEquals(362, r.resample(new float[1000]).length);
        assertEquals(3 * 22050, Resampler.kaiserBest(16000, 22050).outputLength(48000));
    }

    @Test
    void equalRatesCopy() {
        float[] x = {1, 2, 3};
        assertArrayEquals(x, Resampler.kaiserBest(16000, 16000).resample(x), 0f);
    }

    @Test
    void kernelIsAScaledWindowedSinc() {
        Resampler r = Resampler.kaiserBest(48000, 16000);
        double scale = 1.0 / 3, roll = 0.9475937167399596;
        assertEquals(scale * roll, r.kernel(0), 1e-15);
        // zero crossings of sinc(roll * scale * d)
        for (int m = 1; m < 10; m++) {
            assertEquals(0.0, r.kernel(m / (roll * scale)), 1e-15);
        }
        // support ends at 64 zero crossings of the unscaled sinc, 192 input samples here
        assertEquals(0.0, r.kernel(192.01), 0.0);
        assertTrue(Math.abs(r.kernel(100.3)) > 0);
    }

    @Test
    void coprimeRatesUseTheTableAndAgreeWithTheExactBank() {
        float[] x = sine(20000, 1234, 44100, 0.5);
        float[] exact = Resampler.kaiserBest(44100, 16000).resample(x);
        float[] table = new Resampler(44100, 16000, 64, 0.9475937167399596, 14.769656459379492, false).resample(x);
        for (int i = 0; i < exact.length; i++) {
            assertEquals(exact[i], table[i], 1e-6);
        }
        // 16001/44100 share no factor: 16001 phases would exceed the bank limit
        float[] y = Resampler.kaiserBest(44100, 16001).resample(sine(44100, 1000, 44100, 0.5));
        assertEquals(0.5, fit(y, 1000, 16001)[0], 1e-5);
    }

    @Test
    void besselAndKaiserWindow() {
        assertEquals(1.0, Kaiser.besselI0(0), 0);
        assertEquals(1.2660658777520084, Kaiser.besselI0(1), 1e-15);
        assertEquals(1.0, Kaiser.window(0, 14.77), 0);
        assertEquals(1 / Kaiser.besselI0(8.6), Kaiser.window(1, 8.6), 1e-18);
        assertEquals(0.0, Kaiser.window(1.0001, 8.6), 0);
    }

    @Test
    void downmixAveragesChannels() {
        assertArrayEquals(new float[] {2, -1}, Downmix.mono(new float[][] {{1, -2}, {3, 0}}), 0f);
        assertArrayEquals(new float[] {2, -1}, Downmix.monoInterleaved(new float[] {1, 3, -2, 0}, 2), 0f);
    }
}

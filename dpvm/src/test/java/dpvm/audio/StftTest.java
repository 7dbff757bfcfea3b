package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StftTest {

    private static float[] cosine(int n, double freq, int sr, double amp) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) (amp * Math.cos(2 * Math.PI * freq * i / sr));
        }
        return y;
    }

    @Test
    void tinyCentredConstantPaddingByHand() {
        // y = 1,2,3,4, n_fft 4, hop 2, Hann 0,.5,1,.5; padded 0,0,1,2,3,4,0,0; 1 + 4//2 = 3 frames.
        // Frame 0 windowed: 0,0,1,1 -> X = 2, -1+i, 0 -> power 4, 2, 0.
        // Frame 1 windowed: 0,1,3,2 -> X = 6, -3+i, 0 -> power 36, 10, 0.
        // Frame 2 windowed: 0,2,0,0 -> X = 2, -2i, -2 -> power 4, 4, 4.
        Stft stft = Stft.librosa(4, 2, 4, true, PadMode.CONSTANT);
        double[][] p = stft.power(new float[] {1, 2, 3, 4});
        assertEquals(3, p.length);
        assertArrayEquals(new double[] {4, 2, 0}, p[0], 1e-12);
        assertArrayEquals(new double[] {36, 10, 0}, p[1], 1e-12);
        assertArrayEquals(new double[] {4, 4, 4}, p[2], 1e-12);
    }

    @Test
    void tinyCentredReflectPaddingByHand() {
        // Reflect-padded 3,2,1,2,3,4,3,2. Frame 0 windowed: 0,1,1,1 -> X = 3, -1, -1.
        // Frame 1 as above; frame 2 windowed: 0,2,3,1 -> X = 6, -3-i, 0 -> power 36, 10, 0.
        Stft stft = Stft.librosa(4, 2, 4, true, PadMode.REFLECT);
        double[][] p = stft.power(new float[] {1, 2, 3, 4});
        assertArrayEquals(new double[] {9, 1, 1}, p[0], 1e-12);
        assertArrayEquals(new double[] {36, 10, 0}, p[1], 1e-12);
        assertArrayEquals(new double[] {36, 10, 0}, p[2], 1e-12);
    }

    @Test
    void shortWindowIsCentredInsideTheFft() {
        // win_length 2 inside n_fft 4: Hann(2) = 0,1 placed at 1..2 -> window 0,0,1,0.
        Stft stft = Stft.librosa(4, 1, 2, false, PadMode.CONSTANT);
        double[] frame = new double[4];
        stft.windowedFrame(new float[] {7, 8, 9, 10}, 0, frame);
        assertArrayEquals(new double[] {0, 0, 9, 0}, frame, 0);
    }

    @Test
    void toneOnABinCentreGivesTheHannTriplet() {
        // A cosine of amplitude A exactly on bin k0 gives |X[k0]| = A N / 4 through a periodic Hann,
        // |X[k0 +- 1]| = A N / 8, and nothing elsewhere.
        int sr = 22050, n = 2048, k0 = 93;
        double amp = 0.7;
        float[] y = cosine(sr, k0 * (double) sr / n, sr, amp);
        Stft stft = Stft.librosa(n, 512, n, true, PadMode.CONSTANT);
        double[] p = new double[stft.bins()];
        stft.powerFrame(y, 10, p);
        double peak = amp * n / 4;
        assertEquals(peak * peak, p[k0], 1e-3 * peak * peak);
        assertEquals(peak * peak / 4, p[k0 - 1], 1e-3 * peak * peak);
        assertEquals(peak * peak / 4, p[k0 + 1], 1e-3 * peak * peak);
        for (int k = 0; k < p.length; k++) {
            if (Math.abs(k - k0) > 1) {
                assertEquals(0.0, p[k], 1e-8 * peak * peak, "bin " + k);
            }
        }
    }

    @Test
    void offBinToneStillPeaksAtTheNearestBin() {
        int sr = 16000;
        double freq = 1234.5;
        Stft stft = new Stft(Windows.periodicHann(400), 512, 160, 0, PadMode.CONSTANT);
        double[] mag = new double[stft.bins()];
        stft.magnitudeFrame(cosine(4000, freq, sr, 1.0), 5, mag);
        int arg = 0;
        for (int k = 1; k < mag.length; k++) {
            if (mag[k] > mag[arg]) {
                arg = k;
            }
        }
        assertEquals(Math.round(freq * 512 / sr), arg);
    }

    @Test
    void parsevalHoldsOnAFrame() {
        // sum |w x|^2 = (1/N)(|X0|^2 + |X_{N/2}|^2 + 2 sum_{0<k<N/2} |Xk|^2)
        int n = 2048;
        java.util.Random rnd = new java.util.Random(3);
        float[] y = new float[10000];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) rnd.nextGaussian();
        }
        Stft stft = Stft.librosa(n, 512, n, true, PadMode.CONSTANT);
        for (int t : new int[] {0, 7, stft.frameCount(y.length) - 1}) {
            double[] frame = new double[n];
            stft.windowedFrame(y, t, frame);
            double time = 0;
            for (double v : frame) {
                time += v * v;
            }
            double[] p = new double[stft.bins()];
            stft.powerFrame(y, t, p);
            double freq = p[0] + p[n / 2];
            for (int k = 1; k < n / 2; k++) {
                freq += 2 * p[k];
            }
            assertEquals(time, freq / n, 1e-9 * time, "frame " + t);
        }
    }

    @Test
    void centredFrameCountIsOnePlusLengthOverHop() {
        Stft stft = Stft.librosa(2048, 512, 2048, true, PadMode.CONSTANT);
        for (int len : new int[] {0, 1, 511, 512, 513, 2047, 22050, 1323000}) {
            assertEquals(1 + len / 512, stft.frameCount(len), "len " + len);
        }
    }

    @Test
    void uncentredFrameCount() {
        assertEquals(0, Stft.frameCount(399, 400, 160, 0));
        assertEquals(1, Stft.frameCount(400, 400, 160, 0));
        assertEquals(1, Stft.frameCount(559, 400, 160, 0));
        assertEquals(2, Stft.frameCount(560, 400, 160, 0));
        assertEquals(98, Stft.frameCount(16000, 400, 160, 0));
    }

    @Test
    void frameZeroIsCentredOnSampleZero() {
        // An impulse at sample 512 t lands in the middle of frame t, where the Hann is 1.
        float[] y = new float[5000];
        y[1024] = 1f;
        Stft stft = Stft.librosa(2048, 512, 2048, true, PadMode.CONSTANT);
        double[] frame = new double[2048];
        stft.windowedFrame(y, 2, frame);
        assertEquals(1.0, frame[1024], 0);
    }
}

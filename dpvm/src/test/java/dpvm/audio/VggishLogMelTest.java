package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VggishLogMelTest {

    private static float[] tone(int n, double freq, int sr, double amp) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) (amp * Math.cos(2 * Math.PI * freq * i / sr));
        }
        return y;
    }

    private static int argmax(float[] v) {
        int a = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[a]) {
                a = i;
            }
        }
        return a;
    }

    @Test
    void frameAndExampleCounts() {
        assertEquals(0, VggishLogMel.frameCount(399));
        assertEquals(1, VggishLogMel.frameCount(400));
        assertEquals(98, VggishLogMel.frameCount(16000));
        assertEquals(0, VggishLogMel.exampleCount(95));
        assertEquals(1, VggishLogMel.exampleCount(96));
        assertEquals(1, VggishLogMel.exampleCount(191));
        assertEquals(2, VggishLogMel.exampleCount(192));
        VggishLogMel v = new VggishLogMel();
        // 96 frames need 400 + 95*160 = 15600 samples, so exactly 0.96 s (15360) gives none
        assertEquals(0, v.examples(new float[15360]).length);
        assertEquals(0, v.examples(new float[15599]).length);
        assertEquals(1, v.examples(new float[15600]).length);
        // 60 s: 1 + (960000 - 400)/160 = 5998 frames -> 1 + (5998 - 96)/96 = 62 examples
        assertEquals(5998, VggishLogMel.frameCount(960000));
        assertEquals(62, VggishLogMel.exampleCount(5998));
    }

    @Test
    void silenceIsLogOfTheOffset() {
        float[][][] ex = new VggishLogMel().examples(new float[20000]);
        assertEquals(1, ex.length);
        assertEquals(96, ex[0].length);
        assertEquals(64, ex[0][0].length);
        for (float[] frame : ex[0]) {
            for (float v : frame) {
                assertEquals((float) Math.log(0.01), v, 0f);
            }
        }
    }

    @Test
    void magnitudeOfAToneOnABinIsHalfTheAmplitudeTimesTheWindowSum() {
        // cos at 31.25 k Hz: |X[k]| = A/2 sum(w) = A/2 * 200, up to the tiny image from -f
        Stft stft = new Stft(Windows.periodicHann(400), 512, 160, 0, PadMode.CONSTANT);
        double[] mag = new double[257];
        stft.magnitudeFrame(tone(4000, 31.25 * 64, 16000, 0.8), 3, mag);
        assertEquals(80.0, mag[64], 0.05);
    }

    @Test
    void toneLandsInItsMelBand() {
        MelScale s = MelScale.HTK_LN;
        double lo = s.hzToMel(125), hi = s.hzToMel(7500);
        for (int band : new int[] {30, 50}) {
            double centre = s.melToHz(lo + (hi - lo) * (band + 1) / 65);
            float[][] lm = new VggishLogMel().logMel(tone(8000, centre, 16000, 0.5));
            assertEquals(band, argmax(lm[10]), "band " + band);
        }
    }

    @Test
    void examplesAreConsecutiveNinetySixFrameBlocks() {
        java.util.Random rnd = new java.util.Random(5);
        float[] y = new float[16000 * 3];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) (0.1 * rnd.nextGaussian());
        }
        VggishLogMel v = new VggishLogMel();
        float[][] frames = v.logMel(y);
        float[][][] ex = v.examples(y);
        assertEquals(VggishLogMel.exampleCount(frames.length), ex.length);
        assertEquals(3, ex.length);
        for (int e = 0; e < ex.length; e++) {
            for (int i = 0; i < 96; i++) {
                assertArrayEquals(frames[e * 96 + i], ex[e][i], 0f);
            }
        }
    }

    @Test
    void otherRatesAreResampledFirst() {
        MelScale s = MelScale.HTK_LN;
        double lo = s.hzToMel(125), hi = s.hzToMel(7500);
        double centre = s.melToHz(lo + (hi - lo) * 41.0 / 65);
        float[][][] ex = new VggishLogMel().examples(tone(44100 * 2, centre, 44100, 0.5), 44100);
        assertEquals(VggishLogMel.exampleCount(VggishLogMel.frameCount(32000)), ex.length);
        assertEquals(40, argmax(ex[0][50]));
        assertTrue(ex[0][50][40] > 3.0);
    }
}

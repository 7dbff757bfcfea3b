package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MfccTest {
    private static final int SR = 22050;

    private static float[] tone(int n, double freq, double amp) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) (amp * Math.sin(2 * Math.PI * freq * i / SR));
        }
        return y;
    }

    @Test
    void silenceSitsAtTheAminFloor() {
        // power 0 -> 10 log10(1e-10) = -100 dB in all 128 bands; the ortho DCT of a constant c
        // is c sqrt(128) in row 0 and 0 elsewhere.
        float[][] m = Mfcc.mfcc(new float[SR], SR);
        assertEquals(20, m.length);
        assertEquals(1 + SR / 512, m[0].length);
        for (int t = 0; t < m[0].length; t++) {
            assertEquals(-100 * Math.sqrt(128), m[0][t], 1e-3);
            for (int k = 1; k < 20; k++) {
                assertEquals(0.0, m[k][t], 1e-3);
            }
        }
    }

    @Test
    void frameCountFollowsLibrosa() {
        Mfcc mfcc = new Mfcc(SR, MfccConfig.librosaDefaults());
        for (int len : new int[] {1, 511, 512, 1000, 22050, 60 * 22050}) {
            assertEquals(1 + len / 512, mfcc.frameCount(len), "len " + len);
        }
        assertEquals(1 + 3000 / 512, mfcc.compute(new float[3000])[0].length);
    }

    @Test
    void toneLandsInTheMelBandCentredOnIt() {
        MelScale s = MelScale.SLANEY;
        int band = 110;
        double freq = s.melToHz(s.hzToMel(SR / 2.0) * (band + 1) / 129);
        double[][] mel = new Mfcc(SR, MfccConfig.librosaDefaults()).melSpectrogram(tone(SR, freq, 0.5));
        double[] frame = mel[20];
        int arg = 0;
        for (int m = 1; m < frame.length; m++) {
            if (frame[m] > frame[arg]) {
                arg = m;
            }
        }
        assertEquals(band, arg);
        // The neighbours' triangles vanish at this centre and rise over ~17 bins, so the Hann main
        // lobe (+-2 bins) leaks only a few percent into them.
        assertTrue(frame[band - 1] < 0.1 * frame[band]);
        assertTrue(frame[band + 1] < 0.1 * frame[band]);
    }

    @Test
    void topDbFloorUsesTheMaximumOfTheWholeClip() {
        // One second of tone, then silence: silent frames are floored at max - 80 dB in every band,
        // so their MFCC0 is (max - 80) sqrt(128) with the max taken over the tone frames.
        float[] y = new float[3 * SR];
        System.arraycopy(tone(SR, 1000, 0.5), 0, y, 0, SR);
        Mfcc mfcc = new Mfcc(SR, MfccConfig.librosaDefaults());
        double max = Double.NEGATIVE_INFINITY;
        for (double[] f : mfcc.melSpectrogram(y)) {
            for (double v : f) {
                max = Math.max(max, 10 * Math.log10(v));
            }
        }
        float[][] m = mfcc.compute(y);
        int last = m[0].length - 1;
        assertEquals((max - 80) * Math.sqrt(128), m[0][last], 1e-3);
        assertEquals(0.0, m[1][last], 1e-3);
    }

    @Test
    void padModeOnlyChangesEdgeFrames() {
        java.util.Random rnd = new java.util.Random(7);
        float[] y = new float[10000];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) rnd.nextGaussian();
        }
        MfccConfig cfg = MfccConfig.librosaDefaults();
        float[][] zero = new Mfcc(SR, cfg).compute(y);
        float[][] refl = new Mfcc(SR, cfg.withPadMode(PadMode.REFLECT)).compute(y);
        int frames = zero[0].length;
        assertNotEquals(zero[0][0], refl[0][0]);
        assertNotEquals(zero[0][frames - 1], refl[0][frames - 1]);
        // frames 2 .. (10000 - 1024)/512 never reach outside the signal; top_db floors may still
        // differ if the maxima differ, so compare where the padding cannot influence the maximum
        for (int t = 2; t * 512 + 1024 <= y.length; t++) {
            for (int k = 0; k < 20; k++) {
                assertEquals(zero[k][t], refl[k][t], 1e-4, "frame " + t + " coef " + k);
            }
        }
    }

    @Test
    void lifterScalesEachCoefficient() {
        float[] y = tone(8000, 440, 0.3);
        MfccConfig cfg = MfccConfig.librosaDefaults();
        float[][] plain = new Mfcc(SR, cfg).compute(y);
        float[][] lift = new Mfcc(SR, cfg.withLifter(22)).compute(y);
        for (int k = 0; k < 20; k++) {
            double gain = 1 + 11 * Math.sin(Math.PI * (k + 1) / 22);
            assertEquals(plain[k][3] * gain, lift[k][3], 1e-4 * Math.abs(plain[k][3] * gain) + 1e-4);
        }
    }

    @Test
    void configOptionsReachTheComputation() {
        float[] y = tone(4096, 700, 0.4);
        MfccConfig cfg = MfccConfig.librosaDefaults().withNMfcc(13).withFft(1024, 256, 800).withMels(40, 50, 8000);
        float[][] m = new Mfcc(SR, cfg).compute(y);
        assertEquals(13, m.length);
        assertEquals(1 + 4096 / 256, m[0].length);
        float[][] dflt = Mfcc.mfcc(y, SR);
        assertTrue(Math.abs(m[0][4] - dflt[0][2]) > 1e-3);
        assertArrayEquals(dflt[0], new Mfcc(SR, MfccConfig.librosaDefaults()).compute(y)[0], 0f);
    }

    @Test
    void tinyEndToEndCaseByHand() {
        // sr 8, n_fft 4, hop 2, 2 Slaney bands over 0..4 Hz: mel(4) = 0.06, edges 0, 4/3, 8/3, 4 Hz,
        // bins at 0, 2, 4 Hz. Both triangles are 0.5 at 2 Hz and 0 at the other bins; the Slaney
        // factor 2/(8/3) = 0.75 makes both rows [0, 0.375, 0]. The STFT powers of bin 1 for
        // y = 1,2,3,4 are 2, 10, 4 (see StftTest), so mel = 0.75, 3.75, 1.5 in both bands,
        // MFCC0 = sqrt(2) * 10 log10(mel) and MFCC1 = 0.
        MfccConfig cfg = new MfccConfig(2, 4, 2, 4, 2, 0.0, Double.NaN, false, true, true,
                PadMode.CONSTANT, 2.0, 1.0, 1e-10, 80.0, 0);
        float[][] m = new Mfcc(8, cfg).compute(new float[] {1, 2, 3, 4});
        double[] mel = {0.75, 3.75, 1.5};
        assertEquals(3, m[0].length);
        for (int t = 0; t < 3; t++) {
            assertEquals(Math.sqrt(2) * 10 * Math.log10(mel[t]), m[0][t], 1e-5, "frame " + t);
            assertEquals(0.0, m[1][t], 1e-5, "frame " + t);
        }
    }
}

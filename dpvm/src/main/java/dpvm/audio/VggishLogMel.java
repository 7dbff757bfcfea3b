package dpvm.audio;

import java.util.Arrays;

/**
 * VGGish's input examples ({@code vggish_input.waveform_to_examples} with
 * {@code vggish_params}): 16 kHz mono, 400-sample (25 ms) periodic-Hann frames every 160 samples
 * (10 ms) with no centring, 512-point FFT magnitude, 64 HTK-mel bands between 125 and 7500 Hz,
 * log(mel + 0.01), grouped into non-overlapping 96-frame (0.96 s) examples with the incomplete
 * tail dropped.
 *
 * <p>Holds FFT scratch: not thread-safe.
 */
public final class VggishLogMel {
    public static final int SAMPLE_RATE = 16000;
    public static final int FRAME_LENGTH = 400;
    public static final int HOP = 160;
    public static final int FFT_SIZE = 512;
    public static final int MEL_BANDS = 64;
    public static final double MEL_LOW_HZ = 125.0;
    public static final double MEL_HIGH_HZ = 7500.0;
    public static final double LOG_OFFSET = 0.01;
    public static final int EXAMPLE_FRAMES = 96;
    public static final int EXAMPLE_HOP = 96;

    private final Stft stft = new Stft(Windows.periodicHann(FRAME_LENGTH), FFT_SIZE, HOP, 0, PadMode.CONSTANT);
    private final MelFilterBank mel =
            MelFilterBank.vggish(SAMPLE_RATE, FFT_SIZE / 2 + 1, MEL_BANDS, MEL_LOW_HZ, MEL_HIGH_HZ);

    /** Frames for n samples: 1 + floor((n - 400) / 160), or 0 below 400 samples. */
    public static int frameCount(int samples) {
        return Stft.frameCount(samples, FRAME_LENGTH, HOP, 0);
    }

    /** Examples for f frames: 1 + floor((f - 96) / 96), or 0 below 96 frames. */
    public static int exampleCount(int frames) {
        return frames < EXAMPLE_FRAMES ? 0 : 1 + (frames - EXAMPLE_FRAMES) / EXAMPLE_HOP;
    }

    public MelFilterBank filterBank() {
        return mel;
    }

    /** Log-mel frames [frame][band] of 16 kHz audio, first {@code frames} frames only. */
    public float[][] logMel(float[] y16k, int frames) {
        float[][] out = new float[frames][MEL_BANDS];
        double[] mag = new double[stft.bins()];
        double[] bands = new double[MEL_BANDS];
        for (int t = 0; t < frames; t++) {
            stft.magnitudeFrame(y16k, t, mag);
            mel.apply(mag, bands);
            for (int m = 0; m < MEL_BANDS; m++) {
                out[t][m] = (float) Math.log(bands[m] + LOG_OFFSET);
            }
        }
        return out;
    }

    /** All log-mel frames of 16 kHz audio. */
    public float[][] logMel(float[] y16k) {
        return logMel(y16k, frameCount(y16k.length));
    }

    /** Examples [n][96][64] (time, mel) from 16 kHz mono audio. */
    public float[][][] examples(float[] y16k) {
        int n = exampleCount(frameCount(y16k.length));
        // Frames past the last full example are never used, so they are not computed.
        float[][] frames = logMel(y16k, n == 0 ? 0 : (n - 1) * EXAMPLE_HOP + EXAMPLE_FRAMES);
        float[][][] out = new float[n][][];
        for (int e = 0; e < n; e++) {
            out[e] = Arrays.copyOfRange(frames, e * EXAMPLE_HOP, e * EXAMPLE_HOP + EXAMPLE_FRAMES);
        }
        return out;
    }

    /**
     * Examples from mono audio at any rate: resampled to 16 kHz first with the kaiser_best
     * parameters that VGGish's reference (resampy) uses, see {@link Resampler}.
     */
    public float[][][] examples(float[] y, int sr) {
        return examples(sr == SAMPLE_RATE ? y : Resampler.kaiserBest(sr, SAMPLE_RATE).resample(y));
    }
}

package dpvm.audio;

import java.util.Arrays;

/**
 * Short-time Fourier analysis of mono audio, one frame at a time.
 *
 * <p>Frame t covers samples [t*hop - centerPad, t*hop - centerPad + frameLength) of the input
 * extended by the {@link PadMode}; it is multiplied by the window and zero-padded at the end to
 * fftSize before the real FFT. librosa's {@code center=True} corresponds to
 * centerPad = n_fft / 2 and frameLength = fftSize = n_fft (with shorter windows already centred
 * inside n_fft); VGGish uses centerPad = 0, frameLength = 400, fftSize = 512.
 *
 * <p>Not thread-safe (it owns FFT scratch); create one per thread.
 */
public final class Stft {
    private final double[] window;
    private final int frameLength;
    private final int hop;
    private final int centerPad;
    private final PadMode padMode;
    private final RealFft fft;
    private final double[] frame;

    public Stft(double[] window, int fftSize, int hop, int centerPad, PadMode padMode) {
        if (window.length > fftSize) {
            throw new IllegalArgumentException("window longer than the FFT");
        }
        if (hop < 1 || centerPad < 0) {
            throw new IllegalArgumentException("hop must be >= 1 and centerPad >= 0");
        }
        this.window = window.clone();
        this.frameLength = window.length;
        this.hop = hop;
        this.centerPad = centerPad;
        this.padMode = padMode;
        this.fft = new RealFft(fftSize);
        this.frame = new double[fftSize];
    }

    /**
     * librosa's {@code stft(n_fft, hop_length, win_length, window='hann', center, pad_mode)}: a
     * periodic Hann of win_length centred in n_fft, centre padding of n_fft/2 when
     * {@code center}.
     */
    public static Stft librosa(int nFft, int hop, int winLength, boolean center, PadMode padMode) {
        double[] w = Windows.padCenter(Windows.periodicHann(winLength), nFft);
        return new Stft(w, nFft, hop, center ? nFft / 2 : 0, padMode);
    }

    public int fftSize() {
        return fft.size();
    }

    public int bins() {
        return fft.bins();
    }

    public int hop() {
        return hop;
    }

    /**
     * Number of frames for a signal of {@code length} samples: with padded length
     * L = length + 2*centerPad, it is 1 + floor((L - frameLength) / hop), or 0 when L is shorter
     * than a frame. For librosa's centred default this is 1 + floor(length / hop).
     */
    public int frameCount(int length) {
        return frameCount(length, frameLength, hop, centerPad);
    }

    public static int frameCount(int length, int frameLength, int hop, int centerPad) {
        long padded = (long) length + 2L * centerPad;
        if (padded < frameLength) {
            return 0;
        }
        return (int) (1 + (padded - frameLength) / hop);
    }

    /** Fills {@code out[0..fftSize)} with windowed frame t followed by zeros. */
    public void windowedFrame(float[] y, int t, double[] out) {
        long start = (long) t * hop - centerPad;
        if (start >= 0 && start + frameLength <= y.length) {
            int s = (int) start;
            for (int j = 0; j < frameLength; j++) {
                out[j] = window[j] * y[s + j];
            }
        } else {
            for (int j = 0; j < frameLength; j++) {
                out[j] = window[j] * padMode.sampleAt(y, start + j);
            }
        }
        Arrays.fill(out, frameLength, fft.size(), 0.0);
    }

    /** Power spectrum |X_t[k]|^2, k = 0..fftSize/2, of frame t into {@code out}. */
    public void powerFrame(float[] y, int t, double[] out) {
        windowedFrame(y, t, frame);
        fft.power(frame, out);
    }

    /** Magnitude spectrum |X_t[k]| of frame t into {@code out}. */
    public void magnitudeFrame(float[] y, int t, double[] out) {
        windowedFrame(y, t, frame);
        fft.magnitude(frame, out);
    }

    /** Whole power spectrogram, indexed [frame][bin]. */
    public double[][] power(float[] y) {
        int frames = frameCount(y.length);
        double[][] s = new double[frames][bins()];
        for (int t = 0; t < frames; t++) {
            powerFrame(y, t, s[t]);
        }
        return s;
    }
}

package dpvm.audio;

/** Analysis windows. */
public final class Windows {
    private Windows() {
    }

    /**
     * Periodic ("DFT-even") Hann window, w[t] = 0.5 - 0.5 cos(2 pi t / n), t = 0..n-1. This is
     * what {@code scipy.signal.get_window('hann', n, fftbins=True)} (librosa) and VGGish's
     * {@code periodic_hann} return; the symmetric variant would divide by n-1 instead.
     */
    public static double[] periodicHann(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("window length must be positive, got " + n);
        }
        double[] w = new double[n];
        for (int t = 0; t < n; t++) {
            w[t] = 0.5 - 0.5 * Math.cos(2.0 * Math.PI * t / n);
        }
        return w;
    }

    /**
     * Zero-pads {@code w} to {@code size} with the window in the middle, left pad
     * (size - len) / 2 rounded down, as {@code librosa.util.pad_center} does when
     * win_length < n_fft.
     */
    public static double[] padCenter(double[] w, int size) {
        if (w.length > size) {
            throw new IllegalArgumentException("window longer than " + size);
        }
        double[] out = new double[size];
        System.arraycopy(w, 0, out, (size - w.length) / 2, w.length);
        return out;
    }
}

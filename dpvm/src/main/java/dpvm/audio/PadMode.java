package dpvm.audio;

/**
 * How samples outside the signal are filled when frames are centred (numpy {@code np.pad} modes).
 * librosa's {@code stft(center=True)} default is {@link #CONSTANT} from 0.9.0 on and
 * {@link #REFLECT} up to 0.8.x.
 */
public enum PadMode {
    /** Zeros. */
    CONSTANT,
    /** Mirror about the edge sample without repeating it: x[2], x[1], | x[0], x[1], ... */
    REFLECT;

    /**
     * Value at index {@code i} of {@code y} extended by this mode; {@code i} may lie anywhere.
     * Reflection beyond one signal length keeps bouncing between the ends, which is what numpy's
     * iterative reflect padding produces for pads longer than the signal.
     */
    double sampleAt(float[] y, long i) {
        int n = y.length;
        if (i >= 0 && i < n) {
            return y[(int) i];
        }
        if (this == CONSTANT || n == 0) {
            return 0.0;
        }
        if (n == 1) {
            return y[0];
        }
        long period = 2L * (n - 1);
        long j = Math.floorMod(i, period);
        if (j >= n) {
            j = period - j;
        }
        return y[(int) j];
    }
}

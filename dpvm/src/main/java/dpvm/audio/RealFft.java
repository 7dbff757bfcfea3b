package dpvm.audio;

import org.apache.commons.math3.transform.DftNormalization;
import org.apache.commons.math3.transform.FastFourierTransformer;
import org.apache.commons.math3.transform.TransformType;

/**
 * Forward FFT of a real frame of power-of-two length n, returning the n/2+1 non-negative-frequency
 * bins (numpy's {@code rfft} layout, unnormalised, kernel e^{-2 pi i k t / n}).
 *
 * <p>The n real samples are packed into an n/2-point complex sequence z[t] = x[2t] + i x[2t+1], one
 * complex FFT of half the size is run through Commons Math, and the even/odd spectra are separated
 * with the identity X[k] = E[k] + W^k O[k], where E[k] = (Z[k] + conj Z[n/2-k]) / 2,
 * O[k] = (Z[k] - conj Z[n/2-k]) / (2i) and W = e^{-2 pi i / n}. This halves the work of a full
 * complex transform and avoids Commons Math's per-call {@code Complex[]} allocation.
 *
 * <p>Instances keep scratch buffers and are therefore not thread-safe: use one per thread.
 */
public final class RealFft {
    private final int n;
    private final int half;
    private final double[] cos;
    private final double[] sin;
    private final double[][] work;
    private final double[] re;
    private final double[] im;

    public RealFft(int n) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("FFT size must be a power of two >= 2, got " + n);
        }
        this.n = n;
        this.half = n / 2;
        this.cos = new double[half + 1];
        this.sin = new double[half + 1];
        for (int k = 0; k <= half; k++) {
            double theta = 2.0 * Math.PI * k / n;
            cos[k] = Math.cos(theta);
            sin[k] = Math.sin(theta);
        }
        this.work = new double[2][half];
        this.re = new double[half + 1];
        this.im = new double[half + 1];
    }

    public int size() {
        return n;
    }

    /** Number of output bins, n/2 + 1. */
    public int bins() {
        return half + 1;
    }

    /**
     * Transforms {@code x[0..n)} into {@code re[0..n/2]} and {@code im[0..n/2]}.
     */
    public void forward(double[] x, double[] re, double[] im) {
        double[] zr = work[0];
        double[] zi = work[1];
        for (int t = 0; t < half; t++) {
            zr[t] = x[2 * t];
            zi[t] = x[2 * t + 1];
        }
        FastFourierTransformer.transformInPlace(work, DftNormalization.STANDARD, TransformType.FORWARD);
        for (int k = 0; k <= half; k++) {
            int a = k % half;
            int b = (half - k) % half;
            double ar = zr[a], ai = zi[a];
            double br = zr[b], bi = zi[b];
            double er = 0.5 * (ar + br);
            double ei = 0.5 * (ai - bi);
            double or = 0.5 * (ai + bi);
            double oi = 0.5 * (br - ar);
            // W^k = cos - i sin
            re[k] = er + cos[k] * or + sin[k] * oi;
            im[k] = ei + cos[k] * oi - sin[k] * or;
        }
    }

    /** Writes |X[k]|^2 for k = 0..n/2 into {@code out}. */
    public void power(double[] x, double[] out) {
        forward(x, re, im);
        for (int k = 0; k <= half; k++) {
            out[k] = re[k] * re[k] + im[k] * im[k];
        }
    }

    /** Writes |X[k]| for k = 0..n/2 into {@code out}. */
    public void magnitude(double[] x, double[] out) {
        forward(x, re, im);
        for (int k = 0; k <= half; k++) {
            out[k] = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
        }
    }
}

package dpvm.audio;

import java.util.Arrays;

/**
 * Triangular mel filters over the n_fft/2+1 bins of a real FFT, stored sparsely (each band keeps
 * only its non-zero span). Two constructions are provided because librosa and VGGish differ in
 * where the triangles are linear, in normalisation and in bin frequencies; see docs/audio.md.
 */
public final class MelFilterBank {
    private final int bins;
    private final int[] start;
    private final double[][] weights;

    private MelFilterBank(double[][] dense) {
        this.bins = dense[0].length;
        int bands = dense.length;
        this.start = new int[bands];
        this.weights = new double[bands][];
        for (int m = 0; m < bands; m++) {
            int lo = 0;
            while (lo < bins && dense[m][lo] == 0.0) {
                lo++;
            }
            int hi = bins;
            while (hi > lo && dense[m][hi - 1] == 0.0) {
                hi--;
            }
            start[m] = lo;
            weights[m] = Arrays.copyOfRange(dense[m], lo, hi);
        }
    }

    /**
     * {@code librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm)}: band edges
     * f_0..f_{n+1} equally spaced on {@code scale} between fmin and fmax, bin k at k*sr/n_fft,
     * triangles linear in Hz, w_i(f) = max(0, min((f - f_i)/(f_{i+1} - f_i),
     * (f_{i+2} - f)/(f_{i+2} - f_{i+1}))). With {@code slaneyNorm} each row is scaled by
     * 2/(f_{i+2} - f_i) so every triangle has unit area in Hz. Weights are rounded to float32
     * in the same two steps as librosa, which builds the basis in a float32 array.
     */
    public static MelFilterBank librosa(
            int sr, int nFft, int nMels, double fmin, double fmax, MelScale scale, boolean slaneyNorm) {
        if (nMels < 1 || fmin < 0 || fmax <= fmin) {
            throw new IllegalArgumentException("need nMels >= 1 and 0 <= fmin < fmax");
        }
        int nBins = nFft / 2 + 1;
        double[] melF = MelScale.linspace(scale.hzToMel(fmin), scale.hzToMel(fmax), nMels + 2);
        for (int i = 0; i < melF.length; i++) {
            melF[i] = scale.melToHz(melF[i]);
        }
        // numpy's rfftfreq(n_fft, d=1/sr) multiplies k by 1/(n_fft * (1/sr)); same rounding here.
        double binStep = 1.0 / (nFft * (1.0 / sr));
        double[][] w = new double[nMels][nBins];
        for (int i = 0; i < nMels; i++) {
            double lowerWidth = melF[i + 1] - melF[i];
            double upperWidth = melF[i + 2] - melF[i + 1];
            double enorm = 2.0 / (melF[i + 2] - melF[i]);
            for (int k = 0; k < nBins; k++) {
                double f = k * binStep;
                double lower = (f - melF[i]) / lowerWidth;
                double upper = (melF[i + 2] - f) / upperWidth;
                // librosa stores the triangle in float32, then scales that float32 value in place
                float tri = (float) Math.max(0.0, Math.min(lower, upper));
                w[i][k] = slaneyNorm ? (float) (tri * enorm) : tri;
            }
        }
        return new MelFilterBank(w);
    }

    /** librosa's default: Slaney scale and Slaney area normalisation, fmin 0, fmax sr/2. */
    public static MelFilterBank librosaDefault(int sr, int nFft, int nMels) {
        return librosa(sr, nFft, nMels, 0.0, sr / 2.0, MelScale.SLANEY, true);
    }

    /**
     * VGGish's {@code spectrogram_to_mel_matrix}: bins at linspace(0, sr/2, nBins), edges
     * equally spaced in 1127 ln(1 + f/700) mel between lowHz and highHz, triangles linear in
     * mel, no normalisation, and the DC bin's weights forced to zero.
     */
    public static MelFilterBank vggish(int sr, int nBins, int nMels, double lowHz, double highHz) {
        double nyquist = sr / 2.0;
        if (lowHz < 0 || lowHz >= highHz || highHz > nyquist) {
            throw new IllegalArgumentException("need 0 <= lowHz < highHz <= sr/2");
        }
        MelScale scale = MelScale.HTK_LN;
        double[] binMel = MelScale.linspace(0.0, nyquist, nBins);
        for (int k = 0; k < nBins; k++) {
            binMel[k] = scale.hzToMel(binMel[k]);
        }
        double[] edges = MelScale.linspace(scale.hzToMel(lowHz), scale.hzToMel(highHz), nMels + 2);
        double[][] w = new double[nMels][nBins];
        for (int i = 0; i < nMels; i++) {
            double l = edges[i];
            double c = edges[i + 1];
            double u = edges[i + 2];
            // k starts at 1: VGGish zeroes the DC row
            for (int k = 1; k < nBins; k++) {
                double lower = (binMel[k] - l) / (c - l);
                double upper = (u - binMel[k]) / (u - c);
                w[i][k] = Math.max(0.0, Math.min(lower, upper));
            }
        }
        return new MelFilterBank(w);
    }

    public int bands() {
        return weights.length;
    }

    public int bins() {
        return bins;
    }

    /** out[m] = sum_k W[m][k] spectrum[k]. */
    public void apply(double[] spectrum, double[] out) {
        for (int m = 0; m < weights.length; m++) {
            double[] w = weights[m];
            int s = start[m];
            double acc = 0.0;
            for (int j = 0; j < w.length; j++) {
                acc += w[j] * spectrum[s + j];
            }
            out[m] = acc;
        }
    }

    /** Dense copy of the matrix, [band][bin]. */
    public double[][] dense() {
        double[][] d = new double[weights.length][bins];
        for (int m = 0; m < weights.length; m++) {
            System.arraycopy(weights[m], 0, d[m], start[m], weights[m].length);
        }
        return d;
    }
}

package dpvm.audio;

/**
 * {@code librosa.feature.mfcc}: centred STFT, |X|^power, mel filter bank, power_to_db over the
 * whole clip, orthonormal DCT-II over the mel axis keeping the first n_mfcc rows, optional
 * lifter. Output is [n_mfcc][frames] like librosa. Computation is in double; librosa works in
 * float32, so expect agreement to float32 rounding, not bit equality.
 *
 * <p>An instance caches the window, filter bank and DCT for one (sr, config) and holds FFT
 * scratch, so it is not thread-safe.
 */
public final class Mfcc {
    private final MfccConfig config;
    private final Stft stft;
    private final MelFilterBank mel;
    private final Dct dct;
    private final double[] lifterGain;

    public Mfcc(int sr, MfccConfig config) {
        this.config = config;
        this.stft = Stft.librosa(config.nFft(), config.hopLength(), config.winLength(), config.center(),
                config.padMode());
        double fmax = Double.isNaN(config.fmax()) ? sr / 2.0 : config.fmax();
        this.mel = MelFilterBank.librosa(sr, config.nFft(), config.nMels(), config.fmin(), fmax,
                config.htk() ? MelScale.HTK : MelScale.SLANEY, config.slaneyNorm());
        this.dct = new Dct(config.nMfcc(), config.nMels());
        this.lifterGain = new double[config.nMfcc()];
        int l = config.lifter();
        for (int k = 0; k < lifterGain.length; k++) {
            lifterGain[k] = l > 0 ? 1.0 + (l / 2.0) * Math.sin(Math.PI * (k + 1) / l) : 1.0;
        }
    }

    /** {@code librosa.feature.mfcc(y=y, sr=sr)} with all defaults. */
    public static float[][] mfcc(float[] y, int sr) {
        return new Mfcc(sr, MfccConfig.librosaDefaults()).compute(y);
    }

    public MfccConfig config() {
        return config;
    }

    public int frameCount(int length) {
        return stft.frameCount(length);
    }

    /** Mel spectrogram (librosa.feature.melspectrogram) indexed [frame][band]. */
    public double[][] melSpectrogram(float[] y) {
        int frames = stft.frameCount(y.length);
        double[][] m = new double[frames][mel.bands()];
        double[] spec = new double[stft.bins()];
        double halfPower = config.power() / 2.0;
        for (int t = 0; t < frames; t++) {
            stft.powerFrame(y, t, spec);
            if (halfPower != 1.0) {
                for (int k = 0; k < spec.length; k++) {
                    spec[k] = Math.pow(spec[k], halfPower);
                }
            }
            mel.apply(spec, m[t]);
        }
        return m;
    }

    /** MFCCs, [n_mfcc][frames]. */
    public float[][] compute(float[] y) {
        double[][] db = melSpectrogram(y);
        Decibels.powerToDb(db, config.ref(), config.amin(), config.topDb());
        int frames = db.length;
        float[][] out = new float[config.nMfcc()][frames];
        double[] c = new double[config.nMfcc()];
        for (int t = 0; t < frames; t++) {
            dct.apply(db[t], c);
            for (int k = 0; k < c.length; k++) {
                out[k][t] = (float) (c[k] * lifterGain[k]);
            }
        }
        return out;
    }
}

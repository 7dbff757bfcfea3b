package dpvm.audio;

/**
 * Options of {@code librosa.feature.mfcc} (and the melspectrogram/stft/power_to_db keywords it
 * forwards). Only dct_type=2 with norm='ortho' and the Hann window are supported.
 *
 * @param nMfcc      number of coefficients kept (librosa n_mfcc)
 * @param nFft       FFT length (n_fft)
 * @param hopLength  hop in samples (hop_length)
 * @param winLength  Hann length, centred inside nFft (win_length)
 * @param nMels      number of mel bands (n_mels)
 * @param fmin       lowest band edge in Hz
 * @param fmax       highest band edge in Hz; NaN means sr/2 (librosa fmax=None)
 * @param htk        HTK mel formula instead of Slaney's
 * @param slaneyNorm Slaney area normalisation (norm='slaney') or none (norm=None)
 * @param center     centre frames by padding nFft/2 on both sides
 * @param padMode    centre padding mode: CONSTANT for librosa >= 0.9, REFLECT for <= 0.8
 * @param power      spectrogram exponent: 2 power, 1 magnitude
 * @param ref        power_to_db ref (a fixed value)
 * @param amin       power_to_db amin
 * @param topDb      power_to_db top_db; {@link Decibels#NO_TOP_DB} for None
 * @param lifter     cepstral lifter L; 0 disables it
 */
public record MfccConfig(
        int nMfcc,
        int nFft,
        int hopLength,
        int winLength,
        int nMels,
        double fmin,
        double fmax,
        boolean htk,
        boolean slaneyNorm,
        boolean center,
        PadMode padMode,
        double power,
        double ref,
        double amin,
        double topDb,
        int lifter) {

    public MfccConfig {
        if (nMfcc < 1 || nMfcc > nMels) {
            throw new IllegalArgumentException("need 1 <= nMfcc <= nMels");
        }
        if (winLength > nFft || winLength < 1 || hopLength < 1) {
            throw new IllegalArgumentException("need 1 <= winLength <= nFft and hopLength >= 1");
        }
        if (lifter < 0 || power <= 0) {
            throw new IllegalArgumentException("need lifter >= 0 and power > 0");
        }
    }

    /** librosa's defaults (version >= 0.9 padding). */
    public static MfccConfig librosaDefaults() {
        return new MfccConfig(20, 2048, 512, 2048, 128, 0.0, Double.NaN, false, true, true,
                PadMode.CONSTANT, 2.0, 1.0, 1e-10, 80.0, 0);
    }

    public MfccConfig withNMfcc(int n) {
        return new MfccConfig(n, nFft, hopLength, winLength, nMels, fmin, fmax, htk, slaneyNorm,
                center, padMode, power, ref, amin, topDb, lifter);
    }

    /** Same options with another centre padding mode (REFLECT reproduces librosa <= 0.8). */
    public MfccConfig withPadMode(PadMode mode) {
        return new MfccConfig(nMfcc, nFft, hopLength, winLength, nMels, fmin, fmax, htk, slaneyNorm,
                center, mode, power, ref, amin, topDb, lifter);
    }

    public MfccConfig withFft(int nFft, int hopLength, int winLength) {
        return new MfccConfig(nMfcc, nFft, hopLength, winLength, nMels, fmin, fmax, htk, slaneyNorm,
                center, padMode, power, ref, amin, topDb, lifter);
    }

    public MfccConfig withMels(int nMels, double fmin, double fmax) {
        return new MfccConfig(nMfcc, nFft, hopLength, winLength, nMels, fmin, fmax, htk, slaneyNorm,
                center, padMode, power, ref, amin, topDb, lifter);
    }

    public MfccConfig withLifter(int l) {
        return new MfccConfig(nMfcc, nFft, hopLength, winLength, nMels, fmin, fmax, htk, slaneyNorm,
                center, padMode, power, ref, amin, topDb, l);
    }
}

package dpvm.audio;

/** Hz/mel conversions used by librosa and VGGish. */
public enum MelScale {
    /**
     * Slaney's Auditory Toolbox scale, librosa's default (htk=False): linear 3f/200 below
     * 1 kHz, logarithmic above with 27 steps per factor 6.4 (m = 15 at 1 kHz).
     */
    SLANEY {
        @Override
        public double hzToMel(double hz) {
            return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
        }

        @Override
        public double melToHz(double mel) {
            return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
        }
    },
    /** librosa's htk=True: m = 2595 log10(1 + f/700). */
    HTK {
        @Override
        public double hzToMel(double hz) {
            return 2595.0 * Math.log10(1.0 + hz / 700.0);
        }

        @Override
        public double melToHz(double mel) {
            return 700.0 * (Math.pow(10.0, mel / 2595.0) - 1.0);
        }
    },
    /**
     * VGGish's {@code mel_features.hertz_to_mel}: m = 1127 ln(1 + f/700). Same curve as
     * {@link #HTK} up to the rounding of 2595/ln 10 = 1126.994..., so the two are kept apart.
     */
    HTK_LN {
        @Override
        public double hzToMel(double hz) {
            return 1127.0 * Math.log(1.0 + hz / 700.0);
        }

        @Override
        public double melToHz(double mel) {
            return 700.0 * (Math.exp(mel / 1127.0) - 1.0);
        }
    };

    private static final double F_SP = 200.0 / 3.0;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
    private static final double LOG_STEP = Math.log(6.4) / 27.0;

    public abstract double hzToMel(double hz);

    public abstract double melToHz(double mel);

    /** numpy's {@code linspace(start, stop, num)}: start + i*step, last point exactly stop. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        double step = num > 1 ? (stop - start) / (num - 1) : 0.0;
        for (int i = 0; i < num; i++) {
            y[i] = start + i * step;
        }
        if (num > 1) {
            y[num - 1] = stop;
        }
        return y;
    }
}

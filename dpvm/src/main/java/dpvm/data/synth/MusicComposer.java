package dpvm.data.synth;

import java.util.Random;

/**
 * Writes the music of one synthetic pair. Content: the scene picks the instrument (timbre family) and
 * the pair's detail the tonic, its direction the melodic contour. Emotion: valence picks the mode
 * (major above +0.25, minor below -0.25, whole-tone between), arousal the tempo (60-170 bpm) and the
 * loudness (RMS 0.04-0.20). A soft tonic triad underneath makes the mode audible. Noise and an optional distractor
 * (percussion plus a chord from a foreign key) sit on top.
 */
final class MusicComposer {
    static final int[] MAJOR = {0, 2, 4, 5, 7, 9, 11};
    static final int[] MINOR = {0, 2, 3, 5, 7, 8, 10};
    static final int[] WHOLE_TONE = {0, 2, 4, 6, 8, 10};

    private MusicComposer() {}

    static int[] scaleFor(double valence) {
        return valence > 0.25 ? MAJOR : valence < -0.25 ? MINOR : WHOLE_TONE;
    }

    static double tempoFor(double arousal) {
        return 60 + 110 * arousal;
    }

    static float[] compose(PairPlan plan, double seconds, int rate, double noise) {
        Random r = new Random(plan.renderSeed() ^ 0x5DEECE66DL);
        int n = (int) Math.round(seconds * rate);
        float[] out = new float[n];
        int[] scale = scaleFor(plan.musicValence());
        double beat = 60.0 / tempoFor(plan.musicArousal());
        double loud = 0.18 + 0.45 * plan.musicArousal();
        int tonic = 48 + (int) Math.round(12 * plan.detail());
        Scene.Timbre timbre = plan.scene().timbre;

        // Drone: root, third and fifth of the mode, quiet.
        for (int k : new int[] {0, 2, 4}) {
            double f = midiHz(tonic + scale[k % scale.length] - 12);
            for (int i = 0; i < n; i++) out[i] += (float) (0.06 * loud * Math.sin(2 * Math.PI * f * i / rate));
        }

        // Melody: a 4-note motif rising or falling through the scale, varied on each repeat.
        double noteLen = timbre == Scene.Timbre.SQUARE ? beat / 2 : beat;
        int step = plan.rising() ? 1 : -1;
        int degree = plan.rising() ? 0 : 6;
        for (double t = 0; t < seconds; t += noteLen) {
            int pos = (int) Math.round(t / noteLen) % 4;
            if (pos == 0) degree = plan.rising() ? r.nextInt(3) : 4 + r.nextInt(3);
            else degree += step * (1 + (r.nextDouble() < 0.25 ? 1 : 0));
            if (timbre == Scene.Timbre.BELL && r.nextDouble() < 0.4) continue; // sparse
            int octave = Math.floorDiv(degree, scale.length);
            int midi = tonic + 12 + 12 * octave + scale[Math.floorMod(degree, scale.length)];
            note(out, rate, t, noteLen * 0.95, midiHz(midi), timbre, loud, r);
        }

        // Loudness is set by RMS, not by the instrument: a square wave is louder than a bell at equal
        // amplitude, and the emotion signal must not depend on the scene.
        scaleToRms(out, 0.04 + 0.16 * plan.musicArousal());
        if (plan.musicDistractor()) distract(out, rate, seconds, loud, r);
        for (int i = 0; i < n; i++) out[i] += (float) (noise * 0.04 * r.nextGaussian());
        normalisePeak(out, 0.95f);
        return out;
    }

    private static void note(float[] out, int rate, double start, double len, double f, Scene.Timbre timbre, double amp, Random r) {
        int s0 = (int) (start * rate), len0 = (int) (len * rate);
        if (timbre == Scene.Timbre.PLUCK) {
            pluck(out, rate, s0, len0, f, amp, r);
            return;
        }
        for (int i = 0; i < len0 && s0 + i < out.length; i++) {
            double t = (double) i / rate;
            double env = envelope(timbre, t, len);
            double ph = 2 * Math.PI * f * t;
            double v;
            switch (timbre) {
                case PAD -> v = Math.sin(ph) * (0.8 + 0.2 * Math.sin(2 * Math.PI * 5 * t)) + 0.3 * Math.sin(2 * ph);
                case FLUTE -> v = Math.sin(ph) + 0.15 * Math.sin(2 * ph) + 0.05 * r.nextGaussian();
                case SQUARE -> v = 0.6 * Math.signum(Math.sin(ph));
                case BELL -> v = Math.sin(ph + 2.0 * Math.exp(-3 * t) * Math.sin(3.5 * ph));
                default -> v = 0.5 * (2 * ((f * t) % 1.0) - 1) + 0.3 * Math.sin(ph); // BRASS: bright sawtooth
            }
            out[s0 + i] += (float) (amp * env * v);
        }
    }

    private static double envelope(Scene.Timbre timbre, double t, double len) {
        double attack = timbre == Scene.Timbre.PAD ? 0.15 : 0.01;
        double a = Math.min(1, t / attack);
        double release = Math.min(1, Math.max(0, (len - t) / 0.03));
        double decay = timbre == Scene.Timbre.BELL ? Math.exp(-2.5 * t) : 1;
        return a * release * decay;
    }

    /** Karplus-Strong: a noise burst in a delay line with averaging, the sound of a plucked string. */
    private static void pluck(float[] out, int rate, int s0, int len, double f, double amp, Random r) {
        int period = Math.max(2, (int) Math.round(rate / f));
        double[] line = new double[period];
        for (int i = 0; i < period; i++) line[i] = r.nextDouble() * 2 - 1;
        for (int i = 0, j = 0; i < len && s0 + i < out.length; i++, j = (j + 1) % period) {
            double v = line[j];
            line[j] = 0.996 * 0.5 * (v + line[(j + 1) % period]);
            out[s0 + i] += (float) (amp * v);
        }
    }

    private static void distract(float[] out, int rate, double seconds, double loud, Random r) {
        double hit = 0.2 + r.nextDouble() * 0.5;
        for (double t = r.nextDouble() * hit; t < seconds; t += hit) {
            int s0 = (int) (t * rate);
            for (int i = 0; i < rate / 20 && s0 + i < out.length; i++) out[s0 + i] += (float) (loud * 0.5 * r.nextGaussian() * Math.exp(-i / (rate / 100.0)));
        }
        int foreign = 40 + r.nextInt(30);
        double at = r.nextDouble() * Math.max(0, seconds - 1);
        for (int k : new int[] {0, 1, 6}) {
            double f = midiHz(foreign + k);
            int s0 = (int) (at * rate);
            for (int i = 0; i < rate && s0 + i < out.length; i++) out[s0 + i] += (float) (loud * 0.3 * Math.sin(2 * Math.PI * f * i / rate) * (1 - (double) i / rate));
        }
    }

    static void scaleToRms(float[] x, double target) {
        double s = 0;
        for (float v : x) s += v * v;
        double rms = Math.sqrt(s / Math.max(1, x.length));
        if (rms <= 0) return;
        float k = (float) (target / rms);
        for (int i = 0; i < x.length; i++) x[i] *= k;
    }

    static double midiHz(int midi) {
        return 440 * Math.pow(2, (midi - 69) / 12.0);
    }

    static void normalisePeak(float[] x, float peak) {
        float m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        if (m > peak) for (int i = 0; i < x.length; i++) x[i] *= peak / m;
    }
}

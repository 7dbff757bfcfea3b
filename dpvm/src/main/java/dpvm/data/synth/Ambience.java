package dpvm.data.synth;

import java.util.Random;

/**
 * The video's own sound track: scene ambience (low-passed noise with a scene-specific brightness and
 * pulsing rate: surf, wind, crackle...). It carries the scene, never the music, so a model cannot find
 * the paired music by listening to the video.
 */
final class Ambience {
    private Ambience() {}

    static float[] render(PairPlan plan, double seconds, int rate) {
        Random r = new Random(plan.renderSeed() ^ 0xA5A5A5A5L);
        int n = (int) Math.round(seconds * rate);
        float[] out = new float[n];
        Scene s = plan.scene();
        double alpha = 1 - Math.exp(-2 * Math.PI * s.ambienceCutoff / rate);
        double y = 0;
        for (int i = 0; i < n; i++) {
            y += alpha * (r.nextGaussian() - y);
            double t = (double) i / rate;
            double pulse = 0.6 + 0.4 * Math.sin(2 * Math.PI * s.ambienceRate * t);
            out[i] = (float) (0.25 * y * pulse);
        }
        MusicComposer.normalisePeak(out, 0.5f);
        return out;
    }
}

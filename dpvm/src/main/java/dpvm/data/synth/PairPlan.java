package dpvm.data.synth;

import dpvm.data.Polarity;
import java.util.List;
import java.util.Random;

/**
 * Everything random about one synthetic pair, drawn up front from its own seed so the files do not
 * depend on thread scheduling or on which other pairs exist.
 *
 * @param detail      pair-specific 0..1: spatial frequency of the picture and pitch of the music
 * @param rising      pair-specific: motion direction in the picture and melodic contour in the music
 * @param videoValence the valence/arousal the picture expresses: the label's plus independent noise;
 *                    the music gets its own noisy copy, so the two never agree perfectly
 * @param videoDistractor a moving object unrelated to the music
 * @param musicDistractor percussion and a stray chord unrelated to the picture
 */
public record PairPlan(int index, String clipId, int movie, Scene scene, Polarity polarity, List<Emotion> emotions,
                       double detail, boolean rising, double videoValence, double videoArousal,
                       double musicValence, double musicArousal, boolean videoDistractor, boolean musicDistractor,
                       long renderSeed) {

    /** The primary emotion: the one the signals follow. */
    public Emotion emotion() {
        return emotions.get(0);
    }

    static PairPlan draw(int index, int movie, int clipInMovie, Scene movieScene, long seed, double noise, double distractors) {
        Random r = new Random(mix(seed, index));
        // A movie has a dominant look and score (70%), like a real film; the rest is free.
        Scene scene = r.nextDouble() < 0.7 ? movieScene : Scene.values()[r.nextInt(Scene.values().length)];
        Polarity p = Polarity.values()[r.nextInt(3)];
        List<Emotion> words = Emotion.of(p);
        Emotion e = words.get(r.nextInt(words.size()));
        List<Emotion> emotions = r.nextDouble() < 0.3 ? List.of(e, other(words, e, r)) : List.of(e);
        double detail = r.nextDouble();
        boolean rising = r.nextBoolean();
        double sd = 0.3 * noise;
        double vv = clamp(e.valence() + sd * r.nextGaussian(), -1, 1), va = clamp(e.arousal() + sd * r.nextGaussian(), 0, 1);
        double mv = clamp(e.valence() + sd * r.nextGaussian(), -1, 1), ma = clamp(e.arousal() + sd * r.nextGaussian(), 0, 1);
        boolean vd = r.nextDouble() < distractors, md = r.nextDouble() < distractors;
        String id = String.format("%03d_%d", movie, clipInMovie);
        return new PairPlan(index, id, movie, scene, p, emotions, detail, rising, vv, va, mv, ma, vd, md, r.nextLong());
    }

    private static Emotion other(List<Emotion> words, Emotion e, Random r) {
        Emotion o;
        do o = words.get(r.nextInt(words.size())); while (o == e);
        return o;
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static long mix(long seed, long i) {
        long z = seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

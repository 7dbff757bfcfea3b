package dpvm.data.synth;

/**
 * The content factor of a synthetic pair: what the picture shows and, correspondingly, which
 * instrument and melodic habit the music has. Emotion never changes the scene, so the content path has
 * something to learn that the emotion path cannot see.
 */
public enum Scene {
    OCEAN(new float[] {20, 60, 110}, new float[] {120, 190, 235}, Timbre.PAD, 300, 0.15),
    FOREST(new float[] {15, 55, 20}, new float[] {120, 200, 90}, Timbre.FLUTE, 2500, 3.0),
    CITY(new float[] {40, 40, 50}, new float[] {230, 210, 140}, Timbre.SQUARE, 150, 0.5),
    DESERT(new float[] {120, 80, 30}, new float[] {245, 210, 150}, Timbre.PLUCK, 800, 0.08),
    NIGHT(new float[] {5, 8, 30}, new float[] {200, 210, 255}, Timbre.BELL, 4000, 6.0),
    FIRE(new float[] {70, 10, 0}, new float[] {255, 190, 60}, Timbre.BRASS, 1200, 9.0);

    /** Dark and light ends of the scene's palette (0-255 RGB); the pattern moves between them. */
    final float[] dark;
    final float[] light;
    final Timbre timbre;
    /** Ambience of the video's own sound track: low-pass cutoff (Hz) and modulation rate (Hz). */
    final double ambienceCutoff;
    final double ambienceRate;

    Scene(float[] dark, float[] light, Timbre timbre, double ambienceCutoff, double ambienceRate) {
        this.dark = dark;
        this.light = light;
        this.timbre = timbre;
        this.ambienceCutoff = ambienceCutoff;
        this.ambienceRate = ambienceRate;
    }

    /** The instrument families, one per scene. */
    enum Timbre { PAD, FLUTE, SQUARE, PLUCK, BELL, BRASS }
}

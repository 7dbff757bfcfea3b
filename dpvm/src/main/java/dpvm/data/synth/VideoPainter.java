package dpvm.data.synth;

import java.util.Random;

/**
 * Paints the frames of one synthetic clip. The scene picks the pattern and palette; the pair's
 * detail sets the pattern's spatial frequency and its direction the way it drifts; valence sets
 * brightness and colour warmth (warm tint for positive, cold for negative); arousal sets how fast the
 * pattern moves. Noise and an optional distractor object sit on top.
 */
final class VideoPainter {
    private static final int LUT = 4096;
    private static final float[] SIN = new float[LUT];

    static {
        for (int i = 0; i < LUT; i++) SIN[i] = (float) Math.sin(2 * Math.PI * i / LUT);
    }

    private final PairPlan plan;
    private final int width;
    private final int height;
    private final double fps;
    private final double noise;
    private final Random random;
    private final float[] gain = new float[3];
    private final float[] offset = new float[3];
    private final double cycles;
    private final double speed;
    private final float[] distractorColour;
    private final double[] distractorPath;
    /** Pixel-noise state: xorshift, because java.util.Random's atomic update dominated painting time. */
    private long noiseState;

    VideoPainter(PairPlan plan, int width, int height, double fps, double noise) {
        this.plan = plan;
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.noise = noise;
        this.random = new Random(plan.renderSeed());
        double v = plan.videoValence();
        double brightness = 0.6 + 0.35 * v;
        double warmth = 0.22 * v;
        float[] tint = {(float) (1 + warmth), 1f, (float) (1 - warmth)};
        Scene s = plan.scene();
        for (int c = 0; c < 3; c++) {
            offset[c] = (float) (s.dark[c] * brightness * tint[c]);
            gain[c] = (float) ((s.light[c] - s.dark[c]) * brightness * tint[c]);
        }
        cycles = 2 + 6 * plan.detail();
        speed = (0.05 + 0.9 * plan.videoArousal()) * (plan.rising() ? 1 : -1);
        distractorColour = new float[] {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
        distractorPath = new double[] {random.nextDouble(), random.nextDouble(), 0.3 + random.nextDouble(), 0.3 + random.nextDouble()};
        noiseState = random.nextLong() | 1;
    }

    /** Frame {@code n} as interleaved RGB bytes into {@code out}. */
    void paint(int n, byte[] out) {
        double t = n / fps;
        double phase = speed * t;
        float amp = (float) (noise * 24);
        for (int y = 0; y < height; y++) {
            double fy = (double) y / height;
            for (int x = 0; x < width; x++) {
                double fx = (double) x / width;
                float p = pattern(fx, fy, phase, x, y);
                int i = 3 * (y * width + x);
                for (int c = 0; c < 3; c++) {
                    float val = offset[c] + gain[c] * p;
                    if (amp > 0) val += amp * (nextNoise() - 0.5f);
                    out[i + c] = (byte) Math.max(0, Math.min(255, Math.round(val)));
                }
            }
        }
        if (plan.videoDistractor()) drawDistractor(t, out);
    }

    /** Pattern value in [0, 1] at relative position (fx, fy). */
    private float pattern(double fx, double fy, double phase, int x, int y) {
        switch (plan.scene()) {
            case OCEAN:
                return 0.5f + 0.5f * sin(cycles * fy + 0.15 * sin(2 * fx + phase) + 0.3 * phase);
            case FOREST:
                return (0.5f + 0.5f * sin(cycles * fx + phase)) * (float) (0.55 + 0.45 * fy);
            case CITY: {
                boolean window = sin(cycles * fx + phase) > 0.3f && sin(cycles * 0.75 * fy) > 0.2f;
                return window ? 1f : 0.15f;
            }
            case DESERT:
                return 0.5f + 0.5f * sin(0.5 * cycles * (fx + 0.7 * fy) + phase);
            case NIGHT: {
                int sx = Math.floorMod(x + (int) Math.round(phase * width), width);
                long h = PairPlan.mix(sx * 7919L + y, 17);
                return (h & 1023) < 3 + (long) cycles ? 1f : 0.05f;
            }
            case FIRE:
            default:
                return (float) Math.max(0, (0.5 + 0.5 * sin(cycles * fy + phase * 2)) * (0.5 + 0.5 * sin(cycles * fx)) * (0.3 + fy));
        }
    }

    private void drawDistractor(double t, byte[] out) {
        int size = Math.max(4, Math.min(width, height) / 6);
        double cx = 0.5 + 0.4 * Math.sin(2 * Math.PI * (distractorPath[0] + distractorPath[2] * t * 0.3));
        double cy = 0.5 + 0.4 * Math.cos(2 * Math.PI * (distractorPath[1] + distractorPath[3] * t * 0.3));
        int x0 = (int) (cx * (width - size)), y0 = (int) (cy * (height - size));
        for (int y = y0; y < y0 + size; y++) {
            for (int x = x0; x < x0 + size; x++) {
                int i = 3 * (y * width + x);
                for (int c = 0; c < 3; c++) out[i + c] = (byte) distractorColour[c];
            }
        }
    }

    /** Uniform in [0, 1). */
    private float nextNoise() {
        long x = noiseState;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        noiseState = x;
        return (x >>> 40) / (float) (1L << 24);
    }

    /** sin(2*pi*turns) from a table: the painter calls it for every pixel of every frame. */
    private static float sin(double turns) {
        double f = turns - Math.floor(turns);
        return SIN[(int) (f * LUT) & (LUT - 1)];
    }
}

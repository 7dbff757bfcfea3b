package dpvm.bench.cpu;

import java.util.SplittableRandom;

/** Seeded inputs, so both sides see the same numbers (and no denormals or zeros skew a kernel). */
final class Data {
    private Data() {}

    /** Uniform values in [-scale, scale). */
    static float[] uniform(long seed, int n, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }

    static float[] filled(int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return v;
    }

    static int numel(int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}

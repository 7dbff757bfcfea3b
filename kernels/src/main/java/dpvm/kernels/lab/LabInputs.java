package dpvm.kernels.lab;

import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

import java.util.SplittableRandom;

/** Deterministic CPU inputs for the lab's kernels: the same seed gives the same tensor on every run. */
final class LabInputs {
    private LabInputs() {}

    /** float32 uniform in [-2, 2). */
    static Tensor uniform(long seed, int... shape) {
        return between(seed, -2, 2, shape);
    }

    /** float32 uniform in [lo, hi). */
    static Tensor between(long seed, double lo, double hi, int... shape) {
        return new Rng(seed).uniform(shape, DType.FLOAT32, Device.CPU).mul(hi - lo).add(lo);
    }

    /** int64 indices uniform in [0, bound). */
    static Tensor indices(long seed, int bound, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] v = new long[numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(bound);
        return Tensor.ofLongs(v, shape);
    }

    /** float32 zeros and ones, about half each (a where condition). */
    static Tensor mask(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextBoolean() ? 1 : 0;
        return Tensor.of(v, shape);
    }

    private static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("an input of " + n + " elements exceeds the 2^31 - 1 a tensor holds");
        return (int) n;
    }
}

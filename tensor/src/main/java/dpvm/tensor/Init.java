package dpvm.tensor;

/**
 * Weight initialisers with PyTorch's formulas (torch.nn.init). Numbers come from an {@link Rng}, so one seed
 * gives the same weights on every device.
 */
public final class Init {
    private Init() {}

    /** Fan-in and fan-out of a weight [out, in, kernel...] as torch.nn.init computes them. */
    public static int[] fans(int[] shape) {
        if (shape.length < 2) throw new ShapeException("init: fan in and fan out need at least 2 dims, got " + Shape.str(shape));
        int receptive = 1;
        for (int i = 2; i < shape.length; i++) receptive *= shape[i];
        return new int[] {shape[1] * receptive, shape[0] * receptive};
    }

    public static Tensor uniform(int[] shape, double lo, double hi, Rng rng) {
        return rng.uniform(shape, DType.FLOAT32, Device.CPU).mul(hi - lo).add(lo);
    }

    public static Tensor normal(int[] shape, double mean, double std, Rng rng) {
        return rng.normal(shape, DType.FLOAT32, Device.CPU).mul(std).add(mean);
    }

    /**
     * Normal(mean, std) truncated to [a, b] by inverse-CDF sampling, as torch.nn.init.trunc_normal_ does
     * (uniform on [cdf(a), cdf(b)], then the inverse normal CDF).
     */
    public static Tensor truncatedNormal(int[] shape, double mean, double std, double a, double b, Rng rng) {
        if (!(a < b)) throw new IllegalArgumentException("truncated normal: a=" + a + " must be below b=" + b);
        double lo = normalCdf((a - mean) / std), hi = normalCdf((b - mean) / std);
        double[] u = rng.uniform(shape, DType.FLOAT64, Device.CPU).toDoubleArray();
        float[] out = new float[u.length];
        for (int i = 0; i < u.length; i++) {
            double p = lo + (hi - lo) * u[i];
            double x = mean + std * inverseNormalCdf(Math.min(Math.max(p, 1e-300), 1 - 1e-16));
            out[i] = (float) Math.min(Math.max(x, a), b);
        }
        return Tensor.of(out, shape);
    }

    /** The gain torch.nn.init.calculate_gain gives for a nonlinearity ("linear", "relu", "leaky_relu", "tanh"...). */
    public static double gain(String nonlinearity, double param) {
        return switch (nonlinearity) {
            case "linear", "conv1d", "conv2d", "conv3d", "sigmoid" -> 1;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2);
            case "leaky_relu" -> Math.sqrt(2 / (1 + param * param));
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("init: unknown nonlinearity '" + nonlinearity + "'");
        };
    }

    /** kaiming_uniform_ with fan_in mode; {@code a} is the leaky-ReLU slope (torch's Linear/Conv use a=sqrt(5)). */
    public static Tensor kaimingUniform(int[] shape, double a, String nonlinearity, boolean fanIn, Rng rng) {
        int fan = fans(shape)[fanIn ? 0 : 1];
        double bound = Math.sqrt(3.0) * gain(nonlinearity, a) / Math.sqrt(fan);
        return uniform(shape, -bound, bound, rng);
    }

    public static Tensor kaimingNormal(int[] shape, double a, String nonlinearity, boolean fanIn, Rng rng) {
        int fan = fans(shape)[fanIn ? 0 : 1];
        return normal(shape, 0, gain(nonlinearity, a) / Math.sqrt(fan), rng);
    }

    public static Tensor xavierUniform(int[] shape, double gain, Rng rng) {
        int[] f = fans(shape);
        double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform(shape, -bound, bound, rng);
    }

    public static Tensor xavierNormal(int[] shape, double gain, Rng rng) {
        int[] f = fans(shape);
        return normal(shape, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), rng);
    }

    static double normalCdf(double x) {
        return 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    private static double erf(double x) {
        return dpvm.tensor.cpu.Erf.erf(x);
    }

    /** Inverse of the standard normal CDF: Acklam's rational start refined by two Newton steps. */
    static double inverseNormalCdf(double p) {
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615962484594780e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double x;
        if (p < 0.02425) {
            double q = Math.sqrt(-2 * Math.log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        } else if (p > 1 - 0.02425) {
            double q = Math.sqrt(-2 * Math.log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        } else {
            double q = p - 0.5, r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        for (int i = 0; i < 2; i++) {
            double e = normalCdf(x) - p;
            x -= e * Math.sqrt(2 * Math.PI) * Math.exp(x * x / 2);
        }
        return x;
    }
}

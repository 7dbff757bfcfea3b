package dpvm.tensor.cpu;

/**
 * The error function to about 1e-15 relative error: a Maclaurin series near zero and a continued fraction for
 * erfc in the tails, so exact GELU matches PyTorch's to float32 precision and the gradient check sees a smooth
 * function.
 */
public final class Erf {
    private Erf() {}

    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 2.5) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 100; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        if (ax > 6) return Math.signum(x);
        return Math.signum(x) * (1 - erfcTail(ax));
    }

    /** 1 - erf(x), computed directly in the tails, where that difference would cancel (x >= 2.5). */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x >= 2.5) return erfcTail(x);
        if (x <= -2.5) return 2 - erfcTail(-x);
        return 1 - erf(x);
    }

    /** erfc(x) for x >= 2.5 via the Laplace continued fraction, evaluated bottom-up. */
    private static double erfcTail(double x) {
        double f = 0;
        for (int k = 60; k >= 1; k--) f = k / 2.0 / (x + f);
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
    }
}

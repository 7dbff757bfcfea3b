package dpvm.audio;

/** Kaiser window and the modified Bessel function it is built from. */
final class Kaiser {
    private Kaiser() {
    }

    /** I0(x) by its power series sum_k ((x/2)^k / k!)^2, summed until terms stop mattering. */
    static double besselI0(double x) {
        double q = 0.25 * x * x;
        double term = 1.0;
        double sum = 1.0;
        for (int k = 1; k < 500; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return sum;
    }

    /**
     * Continuous Kaiser window on u in [-1, 1]: I0(beta sqrt(1 - u^2)) / I0(beta), zero outside.
     * Sampling it at u = 2t/(M-1) - 1 gives {@code scipy.signal.windows.kaiser(M, beta)}.
     */
    static double window(double u, double beta) {
        double a = 1.0 - u * u;
        if (a < 0.0) {
            return 0.0;
        }
        return besselI0(beta * Math.sqrt(a)) / besselI0(beta);
    }
}

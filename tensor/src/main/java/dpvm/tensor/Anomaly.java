package dpvm.tensor;

/**
 * Anomaly mode: when on, every op's output and every gradient is checked for NaN and infinity, and the first
 * offender is named. Costs a pass over each tensor, so it is off by default.
 */
public final class Anomaly {
    private static volatile boolean enabled;
    private static final ThreadLocal<Boolean> CHECKING = ThreadLocal.withInitial(() -> false);

    private Anomaly() {}

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean isEnabled() {
        return enabled;
    }

    /** Thrown at the first op that produced a NaN or infinity while anomaly mode is on. */
    public static final class AnomalyException extends ArithmeticException {
        public AnomalyException(String message) {
            super(message);
        }
    }

    static void check(String op, Tensor out) {
        if (enabled && !CHECKING.get() && !Autograd.inBackward() && out.dtype().isFloating()) {
            String bad = firstNonFinite(out);
            if (bad != null) throw new AnomalyException("anomaly: op '" + op + "' produced " + bad + " in its output of shape " + Shape.str(out.shape));
        }
    }

    static void checkGradient(String op, Tensor grad) {
        if (enabled && !CHECKING.get() && grad.dtype().isFloating()) {
            String bad = firstNonFinite(grad);
            if (bad != null) throw new AnomalyException("anomaly: the backward of op '" + op + "' produced " + bad + " in a gradient of shape " + Shape.str(grad.shape));
        }
    }

    private static String firstNonFinite(Tensor t) {
        CHECKING.set(true); // the conversion below is itself an op
        try {
            double[] v = t.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                if (Double.isNaN(v[i])) return "NaN at flat index " + i;
                if (Double.isInfinite(v[i])) return (v[i] > 0 ? "+Inf" : "-Inf") + " at flat index " + i;
            }
            return null;
        } finally {
            CHECKING.set(false);
        }
    }
}

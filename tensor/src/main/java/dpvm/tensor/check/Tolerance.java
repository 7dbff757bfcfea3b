package dpvm.tensor.check;

/**
 * The one numerics policy for every test: |out - ref| <= atol + rtol * |ref| elementwise, and NaN never passes.
 * One row per precision.
 */
public record Tolerance(String name, double rtol, double atol) {
    public static final Tolerance FP64 = new Tolerance("fp64", 1e-10, 1e-12);
    public static final Tolerance FP32 = new Tolerance("fp32", 1e-5, 1e-6);
    public static final Tolerance TF32 = new Tolerance("tf32", 5e-4, 1e-5);
    public static final Tolerance BF16 = new Tolerance("bf16", 1e-2, 1e-3);
    /** Finite-difference gradients in float64 (truncation error of central differences with h = 1e-6). */
    public static final Tolerance GRADCHECK = new Tolerance("gradcheck", 1e-5, 1e-7);

    /** The norm-wise relative error ||out - ref|| / ||ref|| (0 when both are zero). */
    public static double relativeL2(double[] out, double[] ref) {
        if (out.length != ref.length) throw new IllegalArgumentException("lengths differ: " + out.length + " vs " + ref.length);
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            num += (out[i] - ref[i]) * (out[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        return num == 0 ? 0 : Math.sqrt(num / Math.max(den, Double.MIN_NORMAL));
    }

    /**
     * The bound on {@link #relativeL2} for reduced-precision (TF32, BF16) matmuls, judged norm-wise because
     * rounding every input to 10 (7) mantissa bits leaves single elements of a cancelling sum far off relatively:
     * ten times rtol (TF32 rounding alone leaves about 4e-4).
     */
    public double normWiseBound() {
        return 10 * rtol;
    }

    /** Null when every element passes, else a description of the worst element. */
    public String mismatch(double[] out, double[] ref) {
        String special = specialMismatch(out, ref);
        if (special != null) return special;
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < out.length; i++) {
            if (!Double.isFinite(out[i]) || !Double.isFinite(ref[i])) continue; // matched by specialMismatch
            double excess = Math.abs(out[i] - ref[i]) - (atol + rtol * Math.abs(ref[i]));
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (worst < 0) return null;
        return String.format("index %d: out %.9g vs ref %.9g (|diff| %.3g > %s atol %.1g + rtol %.1g * |ref|)", worst, out[worst], ref[worst],
                Math.abs(out[worst] - ref[worst]), name, atol, rtol);
    }

    /**
     * Null when ||out - ref|| / ||ref|| is at most rtol over the finite elements and the NaNs and infinities
     * match, else what differs. For results that sum values each already rounded to a short precision (bfloat16
     * gradients of broadcast inputs), where one element of a cancelling sum may be far off relatively.
     */
    public String normWiseMismatch(double[] out, double[] ref) {
        String special = specialMismatch(out, ref);
        if (special != null) return special;
        double[] o = out.clone(), r = ref.clone();
        for (int i = 0; i < o.length; i++) if (!Double.isFinite(r[i])) o[i] = r[i] = 0;
        double rel = relativeL2(o, r);
        return rel <= rtol ? null : String.format("||out - ref|| / ||ref|| = %.3g > %s rtol %.1g", rel, name, rtol);
    }

    /** Lengths, NaN never passing and infinities matching exactly: null when all hold. */
    private static String specialMismatch(double[] out, double[] ref) {
        if (out.length != ref.length) return "lengths differ: " + out.length + " vs " + ref.length;
        for (int i = 0; i < out.length; i++) {
            if (Double.isNaN(out[i]) || Double.isNaN(ref[i])) {
                if (Double.isNaN(out[i]) && Double.isNaN(ref[i])) continue;
                return "NaN at index " + i + " (out " + out[i] + ", ref " + ref[i] + ")";
            }
            if ((Double.isInfinite(ref[i]) || Double.isInfinite(out[i])) && out[i] != ref[i]) {
                return "infinity mismatch at index " + i + " (out " + out[i] + ", ref " + ref[i] + ")";
            }
        }
        return null;
    }
}

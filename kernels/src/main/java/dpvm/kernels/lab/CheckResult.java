package dpvm.kernels.lab;

import dpvm.kernels.MathMode;
import dpvm.tensor.check.Tolerance;

import java.util.function.IntFunction;

/**
 * A GPU result against the CPU reference on the same inputs. Memory-bound ops are judged elementwise at the fp32
 * tolerance; contractions (matmul, convolution) norm-wise, since their long sums leave single near-zero elements
 * relatively far off in any summation order, at the tolerance of the math mode (TF32 and BF16 round the inputs).
 * bfloat16 outputs are judged at the bf16 tolerance (norm-wise at its rtol for contractions): both sides round a
 * float32 result once, so sums taken in another order may land one bfloat16 step apart.
 *
 * @param relativeL2 the largest norm-wise relative error ||out - ref|| / ||ref|| over the outputs
 * @param criterion  what was required, e.g. "elementwise fp32"
 * @param problem    null when passed, else which output failed and how
 */
public record CheckResult(boolean passed, double relativeL2, String criterion, String problem) {
    /** Compares each output with its reference; {@code outputName} names output i. */
    static CheckResult compare(double[][] got, double[][] want, boolean contraction, boolean bfloat16, IntFunction<String> outputName) {
        Tolerance tol = bfloat16 ? Tolerance.BF16 : !contraction ? Tolerance.FP32 : switch (MathMode.get()) {
            case FP32 -> Tolerance.FP32;
            case TF32 -> Tolerance.TF32;
            case BF16 -> Tolerance.BF16;
        };
        double bound = bfloat16 ? tol.rtol() : tol.normWiseBound();
        String criterion = contraction ? String.format("norm-wise %s < %.0e", tol.name(), bound) : "elementwise " + tol.name();
        if (got.length != want.length) return new CheckResult(false, Double.NaN, criterion, got.length + " outputs, the reference has " + want.length);
        double worst = 0;
        String problem = null;
        for (int i = 0; i < got.length; i++) {
            String wrong;
            if (got[i].length != want[i].length) {
                wrong = "lengths differ: " + got[i].length + " vs " + want[i].length;
                worst = Double.NaN;
            } else {
                double rel = Tolerance.relativeL2(got[i], want[i]);
                worst = Math.max(worst, rel);
                if (!contraction) wrong = tol.mismatch(got[i], want[i]);
                else wrong = rel < bound ? null : String.format("||out - ref|| / ||ref|| = %.2e", rel);
            }
            if (wrong != null && problem == null) problem = outputName.apply(i) + ": " + wrong;
        }
        return new CheckResult(problem == null, worst, criterion, problem);
    }

    /** "ok (rel 1.2e-08)" or "MISMATCH" (the details are in {@link #problem}). */
    public String summary() {
        return passed ? String.format("ok (rel %.1e)", relativeL2) : "MISMATCH";
    }
}

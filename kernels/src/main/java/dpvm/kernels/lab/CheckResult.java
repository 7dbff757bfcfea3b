package dpvm.kernels.lab;

import dpvm.kernels.MathMode;
import dpvm.tensor.check.Tolerance;

import java.util.function.IntFunction;

/**
 * A GPU result against the CPU reference on the same inputs. Memory-bound ops are judged elementwise at the fp32
 * tolerance; contractions (matmul, convolution) norm-wise, since their long sums leave single near-zero elements
 * relatively far off in any summation order, at the tolerance of the math mode (TF32 and BF16 round the inputs).
 *
 * @param relativeL2 the largest norm-wise relative error ||out - ref|| / ||ref|| over the outputs
 * @param criterion  what was required, e.g. "elementwise fp32"
 * @param problem    null when passed, else which output failed and how
 */
public record CheckResult(boolean passed, double relativeL2, String criterion, String problem) {
    /** Compares each output with its reference; {@code outputName} names output i. */
    static CheckResult compare(double[][] got, double[][] want, boolean contraction, IntFunction<String> outputName) {
        Tolerance tol = !contraction ? Tolerance.FP32 : switch (MathMode.get()) {
            case FP32 -> Tolerance.FP32;
            case TF32 -> Tolerance.TF32;
            case BF16 -> Tolerance.BF16;
        };
        String criterion = contraction ? String.format("norm-wise %s < %.0e", tol.name(), tol.normWiseBound()) : "elementwise " + tol.name();
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
                else wrong = rel < tol.normWiseBound() ? null : String.format("||out - ref|| / ||ref|| = %.2e", rel);
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

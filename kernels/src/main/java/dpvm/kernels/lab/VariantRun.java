package dpvm.kernels.lab;

import java.util.List;

/**
 * One row of a lab report: a variant (null: the automatic choice of a kernel without variants), whether the
 * automatic choice picks it, its check against the CPU (null when not checked), its median milliseconds, what to
 * print beside it, and the kernels of ours one run of it launches. A variant that cannot take the operands has
 * {@code notApplicable} set and nothing else.
 */
public record VariantRun(String variant, boolean automatic, CheckResult check, double medianMs, String note, List<LaunchStats> launches,
                         String notApplicable) {
    static VariantRun notApplicable(String variant, boolean automatic, String reason) {
        return new VariantRun(variant, automatic, null, Double.NaN, null, List.of(), reason);
    }

    /** Whether it ran and, when checked, matched the CPU. */
    public boolean passed() {
        return notApplicable == null && (check == null || check.passed());
    }

    public String label() {
        return (variant == null ? "default" : variant) + (automatic ? " (auto)" : "");
    }
}

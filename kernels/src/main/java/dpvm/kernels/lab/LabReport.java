package dpvm.kernels.lab;

import dpvm.kernels.MathMode;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * What one lab command measured: a row per variant and the ceiling they are judged against, the device copy
 * rate in GB/s (memory-bound) or the milliseconds of cuBLAS on the GEMM of the same shape (compute-bound).
 */
public record LabReport(String kernel, int[] sizes, String device, int warmup, int repeats, double bytes, double flops, int[] gemm,
                        double ceiling, List<VariantRun> rows) {
    /** Whether every row ran and passed its check. */
    public boolean passed() {
        return rows.stream().allMatch(VariantRun::passed);
    }

    public boolean computeBound() {
        return flops > 0;
    }

    /** GB/s (memory-bound) or TFLOP/s (compute-bound) of a run taking {@code ms}. */
    public double rate(double ms) {
        return computeBound() ? flops / (ms * 1e9) : bytes / (ms * 1e6);
    }

    /** The run's share of the ceiling, in percent. */
    public double percentOfCeiling(double ms) {
        return computeBound() ? 100 * ceiling / ms : 100 * rate(ms) / ceiling;
    }

    public void print(PrintStream out) {
        String work = computeBound() ? String.format("%.3g GFLOP (math %s)", flops / 1e9, MathMode.get().name().toLowerCase())
                : String.format("minimum bytes moved %.4g MB", bytes / 1e6);
        out.printf("%s %s on %s: median of %d repeats after %d warm-up runs, L2 flushed before each; %s%n", kernel, Arrays.toString(sizes), device,
                repeats, warmup, work);
        String criterion = rows.stream().filter(r -> r.check() != null).map(r -> r.check().criterion()).findFirst().orElse("not checked");
        out.printf("  %-18s %10s %10s %12s   check vs CPU (%s)%n", "variant", "median ms", computeBound() ? "TFLOP/s" : "GB/s",
                computeBound() ? "% of cuBLAS" : "% of copy", criterion);
        for (VariantRun r : rows) {
            if (r.notApplicable() != null) {
                out.printf("  %-18s %10s %10s %12s   n/a: %s%n", r.label(), "-", "-", "-", r.notApplicable());
            } else {
                out.printf("  %-18s %10.4f %10.2f %11.0f%%   %s%n", r.label(), r.medianMs(), rate(r.medianMs()), percentOfCeiling(r.medianMs()),
                        r.check() == null ? "not checked" : r.check().summary());
            }
        }
        if (computeBound()) {
            out.printf("  ceiling: the backend's bare cuBLAS GEMM [%d x %d] x [%d x %d]: %.4f ms, %.2f TFLOP/s%n", gemm[0], gemm[1], gemm[1], gemm[2],
                    ceiling, rate(ceiling));
        } else {
            out.printf("  ceiling: device-to-device copy rate %.1f GB/s (bytes read plus written)%n", ceiling);
        }
        for (VariantRun r : rows) {
            if (r.check() != null && !r.check().passed()) out.printf("  %s: MISMATCH %s%n", r.label(), r.check().problem());
            if (r.note() != null) out.printf("  %s: %s%n", r.label(), r.note());
        }
        if (rows.size() > 1 && rows.stream().anyMatch(VariantRun::automatic)) out.println("  (auto) marks the variant dispatch picks by itself for these operands");
    }
}

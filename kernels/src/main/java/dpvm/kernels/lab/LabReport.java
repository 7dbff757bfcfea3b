package dpvm.kernels.lab;

import dpvm.kernels.MathMode;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * What one lab command measured: a row per variant and the ceiling they are judged against, the device copy
 * rate in GB/s (memory-bound) or the milliseconds of cuBLAS on the GEMM of the same shape (compute-bound), and
 * the kernels each variant launched with their registers, occupancy and waves on a device of
 * {@code multiprocessors} multiprocessors holding {@code threadsPerMultiprocessor} threads each.
 */
public record LabReport(String kernel, int[] sizes, String device, int multiprocessors, int threadsPerMultiprocessor, int warmup, int repeats,
                        double bytes, double flops, int[] gemm, double ceiling, List<VariantRun> rows) {
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
        printLaunches(out);
    }

    /** The kernels of ours each variant launched in one run: where the time went, and how full the device was. */
    private void printLaunches(PrintStream out) {
        if (rows.stream().allMatch(r -> r.launches().isEmpty())) {
            out.println("  kernels of ours launched: none (cuBLAS and cuDNN launch their own, not listed)");
            return;
        }
        out.printf("  kernels of ours one run launches (cuBLAS and cuDNN launch their own, not listed):%n");
        out.printf("    %-18s %-28s %5s %9s %6s %8s %5s %7s %9s %9s %6s%n", "variant", "kernel", "calls", "grid", "block", "shared B", "regs",
                "local B", "blocks/SM", "occupancy", "waves");
        for (VariantRun r : rows) {
            for (LaunchStats l : r.launches()) {
                var k = l.resources();
                Object[] driver = k == null ? new Object[] {"-", "-", "-", "-", "-", "-"}
                        : new Object[] {k.staticShared() + l.sharedBytes(), k.registers(), k.localBytes(), k.blocksResident(),
                                String.format("%.1f%%", l.occupancyPercent(threadsPerMultiprocessor)), String.format("%.2f", l.waves(multiprocessors))};
                out.printf("    %-18s %-28s %5d %9d %6d %8s %5s %7s %9s %9s %6s%n", r.label(), l.kernel(), l.calls(), l.grid(), l.block(),
                        driver[0], driver[1], driver[2], driver[3], driver[4], driver[5]);
            }
        }
        if (rows.stream().flatMap(r -> r.launches().stream()).anyMatch(l -> l.resources() == null)) {
            out.printf("  registers, local memory and occupancy: not reported by %s%n", device);
        }
    }
}

package dpvm.kernels.lab;

import dpvm.kernels.CudaDevice;
import dpvm.kernels.MathMode;
import dpvm.kernels.VariantNotApplicableException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Runs one kernel, or each of its variants, at chosen sizes: checks it against the CPU backend on the same inputs,
 * then times it on the GPU ({@link GpuTimer}: warm-up, L2 flushed, median) and prints the achieved rate next to
 * the ceiling that matters, the device-to-device copy rate for memory-bound kernels or cuBLAS on a GEMM of the
 * same shape for contractions. The kernels are the table in {@link LabCases}; the variants are those of
 * {@link dpvm.kernels.KernelVariants}.
 *
 * <pre>
 * KernelLab list                              # every kernel, its sizes and variants
 * KernelLab add 67108864                      # elementwise add of two 64M-element vectors, automatic variant
 * KernelLab add 67108864 --variants           # strided, flat and vector one after another, in one table
 * KernelLab layernorm 8192 1024 --variant block
 * KernelLab conv3d 8 64 64 16 56 56 3 --math tf32
 * KernelLab matmul 4096 4096 4096
 * KernelLab conv3d 8 64 64 16 56 56 3 --autotune    # cuDNN's algorithm by measured time, not heuristics
 * usage: KernelLab list | KERNEL [SIZES...] [--variant NAME | --variants] [--math fp32|tf32|bf16] [--autotune]
 *                                [--repeats N (20)] [--warmup N (3)] [--profile] [--no-check]
 * </pre>
 * Sizes left out take the kernel's defaults. The exit status is 1 when a check fails or a forced variant cannot
 * take the operands, 2 for a bad command line.
 */
public final class KernelLab {
    private KernelLab() {}

    public static void main(String[] args) {
        LabOptions options;
        try {
            options = LabOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.listOnly()) {
            list(System.out);
            return;
        }
        LabReport report;
        try {
            report = measure(options);
        } catch (IllegalArgumentException e) { // an unknown kernel or variant, or too many sizes
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        report.print(System.out);
        if (options.profile()) System.out.println(CudaDevice.get(0).profiler().table());
        if (!report.passed()) System.exit(1);
    }

    /** Validates (unless told not to) and times the variants the options ask for; prints nothing. */
    public static LabReport measure(LabOptions o) {
        LabCase kernel = LabCases.named(o.kernel());
        if (o.math() != null) MathMode.set(o.math());
        if (o.autotune()) System.setProperty("dpvm.cudnn.benchmark", "true");
        LabRun run = new LabRun(kernel, o.sizesOver(kernel.defaults()));
        CudaDevice dev = CudaDevice.get(0);
        String automatic = run.automaticVariant();
        // without --variant, a variant forced by -Ddpvm.kernels.variant.OP is the one to run
        String requested = o.variant() != null || kernel.choice() == null ? o.variant() : kernel.choice().forced();
        List<String> variants = o.allVariants() ? kernel.variantsToRun() : Collections.singletonList(requested);
        List<VariantRun> rows = new ArrayList<>();
        if (o.profile()) dev.profiler().enable();
        Problem p = run.problem();
        try (GpuTimer timer = new GpuTimer(dev)) {
            for (String v : variants) {
                String shown = v == null ? automatic : v;
                boolean isAutomatic = shown != null && shown.equals(automatic);
                try {
                    CheckResult check = o.check() ? run.validate(v) : null;
                    double ms = run.medianMs(v, timer, o.warmup(), o.repeats());
                    rows.add(new VariantRun(shown, isAutomatic, check, ms, p.note(), run.launches(v), null));
                } catch (VariantNotApplicableException e) {
                    rows.add(VariantRun.notApplicable(shown, isAutomatic, e.reason()));
                }
            }
            double ceiling = run.ceiling(timer, o.warmup(), o.repeats());
            return new LabReport(kernel.name(), run.sizes(), dev.name(), dev.multiprocessors(), dev.threadsPerMultiprocessor(), o.warmup(), o.repeats(),
                    p.bytes, p.flops, p.gemm, ceiling, rows);
        }
    }

    /** Every kernel with its sizes (defaults), what it runs, and the variants it can be forced onto. */
    public static void list(PrintStream out) {
        out.println(LabOptions.USAGE);
        out.printf("  %-22s %-36s %-37s %s%n", "kernel", "sizes (defaults)", "variants", "what it runs");
        for (LabCase c : LabCases.all()) {
            String defaults = IntStream.of(c.defaults()).mapToObj(Integer::toString).collect(Collectors.joining(" "));
            String variants = c.choice() == null ? "one kernel" : c.choice().name() + ": " + String.join(", ", c.variants());
            out.printf("  %-22s %-36s %-37s %s%n", c.name(), c.sizeNames() + " (" + defaults + ")", variants, c.about());
        }
    }
}

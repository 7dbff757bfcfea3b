package dpvm.kernels.lab;

import dpvm.kernels.KernelVariants;
import dpvm.kernels.runtime.KernelResources;
import dpvm.kernels.runtime.LaunchLog;
import dpvm.tensor.Backends;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.DType;
import dpvm.tensor.Scope;
import dpvm.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * One lab kernel at one set of sizes on cuda:0: the inputs (made once on the CPU), the CPU reference (computed
 * once, on copies, since some ops update their inputs in place), and per variant a validation and a timing, each
 * on fresh GPU copies of the inputs with that variant forced.
 */
public final class LabRun {
    static final Device GPU = Device.cuda(0);

    private final LabCase kernel;
    private final int[] sizes;
    private final Problem problem;
    private final Tensor[] host;
    private double[][] reference;

    public LabRun(LabCase kernel, int[] sizes) {
        this.kernel = kernel;
        this.sizes = sizes.clone();
        this.problem = kernel.problem().apply(this.sizes);
        this.host = problem.inputs.get();
    }

    public LabCase kernel() {
        return kernel;
    }

    public int[] sizes() {
        return sizes.clone();
    }

    Problem problem() {
        return problem;
    }

    private Tensor[] copies(Device d) {
        return Arrays.stream(host).map(t -> d == Device.CPU ? Backends.of(Device.CPU).copy(t, t.dtype()) : t.to(d)).toArray(Tensor[]::new);
    }

    private static double[][] values(Tensor[] outputs) {
        return Arrays.stream(outputs).map(Tensor::toDoubleArray).toArray(double[][]::new);
    }

    /** Forces {@code variant} on the kernel's op (null: the automatic choice). */
    private KernelVariants.Forcing force(String variant) {
        if (variant != null && kernel.choice() == null) {
            throw new IllegalArgumentException(kernel.name() + " has one kernel, no variants to choose from (see KernelLab list)");
        }
        return kernel.choice() == null ? () -> {} : kernel.choice().force(variant);
    }

    /**
     * Runs the op once on the GPU with {@code variant} forced and compares every output with the CPU reference.
     * Throws {@link dpvm.kernels.VariantNotApplicableException} when the variant cannot take these operands.
     */
    public CheckResult validate(String variant) {
        if (reference == null) {
            try (Scope s = Scope.open()) {
                reference = values(problem.op.apply(copies(Device.CPU)));
            }
        }
        try (Scope s = Scope.open()) {
            Tensor[] in = copies(GPU), out;
            try (KernelVariants.Forcing f = force(variant)) {
                out = problem.op.apply(in);
            }
            // read back unforced: the download may convert or copy, and that copy is not the variant under test
            boolean bfloat16 = java.util.Arrays.stream(out).anyMatch(t -> t.dtype() == dpvm.tensor.DType.BFLOAT16);
            return CheckResult.compare(values(out), reference, problem.computeBound(), bfloat16, problem::outputName);
        }
    }

    /** The variant the op's dispatch picks by itself for these operands (null for a kernel without variants). */
    public String automaticVariant() {
        try (Scope s = Scope.open()) {
            Tensor[] in = copies(GPU), out;
            String picked;
            try (KernelVariants.Forcing f = force(null)) {
                out = problem.op.apply(in);
                picked = kernel.choice() == null ? null : kernel.choice().lastAutomatic();
            }
            out[0].toDoubleArray(); // waits for the GPU, so an asynchronous failure shows here
            return picked;
        }
    }

    /** The kernels of ours one run of the op launches with {@code variant} forced, merged, with the driver's figures for each. */
    List<LaunchStats> launches(String variant) {
        try (Scope s = Scope.open()) {
            Tensor[] in = copies(GPU);
            List<LaunchLog.Launch> seen;
            try (KernelVariants.Forcing f = force(variant); LaunchLog log = LaunchLog.open()) {
                problem.op.apply(in);
                seen = log.launches();
            }
            return LaunchStats.of(seen, l -> KernelResources.of(l.function(), l.block(), l.sharedBytes()));
        }
    }

    /** Median milliseconds of the op with {@code variant} forced, on fresh GPU inputs. */
    double medianMs(String variant, GpuTimer timer, int warmup, int repeats) {
        try (Scope s = Scope.open()) {
            Tensor[] in = copies(GPU);
            try (KernelVariants.Forcing f = force(variant)) {
                return timer.medianMs(warmup, repeats, () -> {
                    try (Scope step = Scope.open()) {
                        problem.op.apply(in);
                    }
                });
            }
        }
    }

    /**
     * The ceiling a run is judged against: the device-to-device copy rate in GB/s for a memory-bound kernel, or
     * the milliseconds of the backend's bare cuBLAS call on the GEMM of the kernel's shape (in bfloat16 when the
     * kernel's first input is, else float32) for a compute-bound one.
     */
    double ceiling(GpuTimer timer, int warmup, int repeats) {
        if (!problem.computeBound()) return timer.copyRateGBs((long) Math.max(problem.bytes / 2, 4096), warmup, repeats);
        int[] g = problem.gemm;
        DType type = host.length > 0 && host[0].dtype() == DType.BFLOAT16 ? DType.BFLOAT16 : DType.FLOAT32;
        try (Scope s = Scope.open()) {
            Tensor a = new Rng(7).uniform(new int[] {g[0], g[1]}, type, GPU), b = new Rng(8).uniform(new int[] {g[1], g[2]}, type, GPU);
            return timer.medianMs(warmup, repeats, () -> Backends.of(GPU).matmul(a, b).close());
        }
    }
}

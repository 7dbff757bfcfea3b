package dpvm.kernels.lab;

import dpvm.kernels.CudaDevice;
import dpvm.kernels.MathMode;
import dpvm.tensor.Backend;
import dpvm.tensor.Backends;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Scope;
import dpvm.tensor.Tensor;
import dpvm.tensor.check.Tolerance;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs one kernel at chosen sizes: checks it against the CPU backend on the same inputs, then times it on the
 * GPU ({@link GpuTimer}: warm-up, L2 flushed, median) and prints the achieved rate next to the ceiling that
 * matters, the device-to-device copy rate for memory-bound ops or cuBLAS's own rate for matmul.
 *
 * <pre>
 * KernelLab add 67108864            # elementwise add of two 64M-element vectors
 * KernelLab softmax 8192 4096
 * KernelLab layernorm 8192 4096     # fused layer norm with weight and bias, forward
 * KernelLab gelu 67108864
 * KernelLab sum 8192 4096           # row sums
 * KernelLab matmul 4096 4096 4096 [--math tf32]
 * KernelLab copy 4096 4096          # transpose copy (strided read)
 * options: --repeats N (20) --warmup N (3) --profile --no-check
 * </pre>
 */
public final class KernelLab {
    private record Case(Function<Tensor[], Tensor> op, int[][] inputs, double bytes, double flops) {}

    private KernelLab() {}

    public static void main(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>();
        java.util.List<String> pos = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--profile") || args[i].equals("--no-check")) opt.put(args[i], "true");
            else if (args[i].startsWith("--")) opt.put(args[i], args[++i]);
            else pos.add(args[i]);
        }
        if (pos.isEmpty()) {
            System.out.println("usage: KernelLab add|mul|exp|gelu|softmax|logsoftmax|layernorm|sum|max|copy|matmul SIZES... [--math fp32|tf32|bf16] [--repeats N] [--warmup N] [--profile] [--no-check]");
            return;
        }
        if (opt.containsKey("--math")) MathMode.set(MathMode.parse(opt.get("--math")));
        String kernel = pos.get(0);
        int[] n = pos.subList(1, pos.size()).stream().mapToInt(Integer::parseInt).toArray();
        Case c = build(kernel, n);
        Device gpu = Device.cuda(0);
        CudaDevice dev = CudaDevice.get(0);
        Tensor[] host = new Tensor[c.inputs.length];
        for (int i = 0; i < host.length; i++) host[i] = new Rng(42 + i).uniform(c.inputs[i], DType.FLOAT32, Device.CPU).mul(4).sub(2);
        Tensor[] onGpu = Arrays.stream(host).map(t -> t.to(gpu)).toArray(Tensor[]::new);

        if (!opt.containsKey("--no-check")) {
            Tensor want = c.op.apply(host), got = c.op.apply(onGpu);
            boolean reduced = MathMode.get() != MathMode.FP32 && kernel.equals("matmul");
            double[] g = got.toDoubleArray(), w = want.toDoubleArray();
            double rel = Tolerance.relativeL2(g, w);
            if (reduced) {
                Tolerance tol = MathMode.get() == MathMode.TF32 ? Tolerance.TF32 : Tolerance.BF16;
                System.out.printf("check vs CPU: ||out-ref||/||ref|| = %.2e; norm-wise %s (< %.0e): %s%n", rel, tol.name(), tol.normWiseBound(),
                        rel < tol.normWiseBound() ? "ok" : "MISMATCH");
            } else {
                String m = Tolerance.FP32.mismatch(g, w);
                System.out.printf("check vs CPU: ||out-ref||/||ref|| = %.2e; elementwise fp32: %s%n", rel, m == null ? "ok" : "MISMATCH " + m);
            }
        }
        if (opt.containsKey("--profile")) dev.profiler().enable();
        int repeats = Integer.parseInt(opt.getOrDefault("--repeats", "20")), warmup = Integer.parseInt(opt.getOrDefault("--warmup", "3"));
        try (GpuTimer timer = new GpuTimer(dev)) {
            double ms = timer.medianMs(warmup, repeats, () -> {
                try (Scope s = Scope.open()) {
                    c.op.apply(onGpu);
                }
            });
            System.out.printf("%s %s on %s: median %.4f ms over %d repeats%n", kernel, Arrays.toString(n), dev.name(), ms, repeats);
            if (c.flops > 0) {
                double tflops = c.flops / (ms * 1e9);
                double ref = cublasReference(timer, onGpu, warmup, repeats);
                System.out.printf("  %.2f TFLOP/s (%s); the backend's bare cublasGemmStridedBatchedEx call %.2f TFLOP/s: %.0f%%%n", tflops, MathMode.get(), c.flops / (ref * 1e9), 100 * ref / ms);
            } else {
                double gbs = c.bytes / (ms * 1e6);
                double copy = timer.copyRateGBs((long) (c.bytes / 2), warmup, repeats);
                System.out.printf("  %.1f GB/s moved (minimum bytes %.1f MB); device copy rate %.1f GB/s: %.0f%%%n", gbs, c.bytes / 1e6, copy, 100 * gbs / copy);
            }
        }
        if (opt.containsKey("--profile")) System.out.println(dev.profiler().table());
    }

    /** The same product through the backend with its dispatch removed as far as possible: one GEMM call. */
    private static double cublasReference(GpuTimer timer, Tensor[] in, int warmup, int repeats) {
        Backend b = Backends.of(in[0].device());
        return timer.medianMs(warmup, repeats, () -> b.matmul(in[0], in[1]).close());
    }

    private static int at(int[] n, int i, int dflt) {
        return i < n.length ? n[i] : dflt;
    }

    private static Case build(String kernel, int[] n) {
        double f = 4;
        switch (kernel) {
            case "add", "mul" -> {
                int len = at(n, 0, 1 << 26);
                Backend.Binary op = kernel.equals("add") ? Backend.Binary.ADD : Backend.Binary.MUL;
                return new Case(x -> dpvm.tensor.Ops.binary(op, x[0], x[1]), new int[][] {{len}, {len}}, 3 * f * len, 0);
            }
            case "exp", "gelu" -> {
                int len = at(n, 0, 1 << 26);
                boolean exp = kernel.equals("exp");
                return new Case(x -> exp ? x[0].exp() : dpvm.tensor.Functional.gelu(x[0]), new int[][] {{len}}, 2 * f * len, 0);
            }
            case "softmax", "logsoftmax" -> {
                int r = at(n, 0, 8192), c = at(n, 1, 4096);
                boolean log = kernel.equals("logsoftmax");
                return new Case(x -> log ? x[0].logSoftmax(1) : x[0].softmax(1), new int[][] {{r, c}}, 2 * f * r * c, 0);
            }
            case "layernorm" -> {
                int r = at(n, 0, 8192), c = at(n, 1, 4096);
                return new Case(x -> dpvm.tensor.Functional.layerNorm(x[0], 1, x[1], x[2], 1e-5), new int[][] {{r, c}, {c}, {c}}, 2 * f * r * c + 2 * f * c, 0);
            }
            case "sum", "max" -> {
                int r = at(n, 0, 8192), c = at(n, 1, 4096);
                boolean sum = kernel.equals("sum");
                return new Case(x -> sum ? x[0].sum(1, false) : x[0].max(1, false), new int[][] {{r, c}}, f * r * c + f * r, 0);
            }
            case "copy" -> {
                int r = at(n, 0, 4096), c = at(n, 1, 4096);
                return new Case(x -> x[0].mT().contiguous(), new int[][] {{r, c}}, 2 * f * r * c, 0);
            }
            case "matmul" -> {
                int m = at(n, 0, 4096), k = at(n, 1, m), nn = at(n, 2, m);
                return new Case(x -> x[0].matmul(x[1]), new int[][] {{m, k}, {k, nn}}, f * ((double) m * k + (double) k * nn + (double) m * nn), 2.0 * m * k * nn);
            }
            default -> throw new IllegalArgumentException("unknown kernel " + kernel + " (add, mul, exp, gelu, softmax, logsoftmax, layernorm, sum, max, copy, matmul)");
        }
    }
}

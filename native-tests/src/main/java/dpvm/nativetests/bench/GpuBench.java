package dpvm.nativetests.bench;

import dpvm.kernels.Cuda;
import dpvm.kernels.CudaDevice;
import dpvm.kernels.CudaLibraries;
import dpvm.kernels.MathMode;
import dpvm.kernels.lab.GpuTimer;
import dpvm.tensor.Backend;
import dpvm.tensor.Backends;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Functional;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.bytedeco.cuda.global.cudart;

import java.util.Locale;

/**
 * The engine's side of the GPU benchmarks; bench/torch_bench.py is its PyTorch twin with the same cases and
 * timing rules, and bench/compare.py joins both outputs into one table. Prints one JSON object per case:
 * name, median ms, and the work (FLOPs, bytes, or one op) that turns time into a rate.
 */
public final class GpuBench {
    private GpuBench() {}

    private static final Device GPU = Device.cuda(0);

    private static Tensor rand(long seed, int... shape) {
        Tensor t = Tensor.empty(shape, DType.FLOAT32, GPU);
        Backends.of(GPU).fillRandom(t, Backend.Distribution.UNIFORM, seed, 0);
        return t;
    }

    private static void emit(String name, double ms, double work, String unit) {
        double rate = unit.equals("TFLOP/s") ? work / (ms * 1e9) : unit.equals("kop/s") ? work / ms : work / (ms * 1e6);
        System.out.printf(Locale.ROOT, "{\"case\":\"%s\",\"ms\":%.5f,\"rate\":%.2f,\"unit\":\"%s\"}%n", name, ms, rate, unit);
    }

    /** One group of cases sharing inputs; a failing group is reported and the next one still runs. */
    private interface Group {
        void run(GpuTimer timer, Backend be) throws Exception;
    }

    /**
     * Sizes are the unless {@code -Ddpvm.bench.small=true}, which shrinks every dimension so that the
     * runner can be rehearsed on the CUDA emulator (those times mean nothing, and case names stay the same).
     */
    private static final boolean SMALL = Boolean.getBoolean("dpvm.bench.small");

    private static int size(int full, int small) {
        return SMALL ? small : full;
    }

    public static void main(String[] args) {
        CudaDevice dev = CudaDevice.get(0);
        int warm = 3, reps = SMALL ? 3 : 20;
        if (SMALL) System.out.println("# rehearsal sizes (-Ddpvm.bench.small=true): not a measurement");
        System.out.println("# dpvm on " + dev.name() + ": " + CudaLibraries.report());
        int failures = 0;
        try (GpuTimer timer = new GpuTimer(dev)) {
            Backend be = Backends.of(GPU);
            Group[] groups = {
                (t, b) -> {
                    // matmul 4096^3: float32 tensors in each math mode (bf16 math: cuBLAS's bf16 tensor cores on
                    // float32 storage, PyTorch's "medium" precision), then bfloat16 tensors (bfloat16 in and out)
                    int n = size(4096, 128);
                    Tensor a = rand(1, n, n), c = rand(2, n, n);
                    double flops = 2.0 * n * n * n;
                    try {
                        for (MathMode m : MathMode.values()) {
                            MathMode.set(m);
                            String name = m == MathMode.BF16 ? "fp32_bf16math" : m.name().toLowerCase();
                            emit("matmul_4096_" + name, t.medianMs(warm, reps, () -> b.matmul(a, c).close()), flops, "TFLOP/s");
                        }
                    } finally {
                        MathMode.set(MathMode.FP32);
                    }
                    try (Tensor ah = b.copy(a, DType.BFLOAT16); Tensor ch = b.copy(c, DType.BFLOAT16)) {
                        emit("matmul_4096_bf16", t.medianMs(warm, reps, () -> b.matmul(ah, ch).close()), flops, "TFLOP/s");
                    }
                },
                (t, b) -> {
                    // conv3d N=32, 64->64 channels, 16x56x56, kernel 3, padding 1
                    Backend.ConvSpec spec = new Backend.ConvSpec(new int[] {1, 1, 1}, new int[] {1, 1, 1}, new int[] {1, 1, 1}, 1);
                    int[] xs = {size(32, 1), size(64, 8), size(16, 4), size(56, 8), size(56, 8)}, ws = {xs[1], xs[1], 3, 3, 3};
                    Tensor x = rand(3, xs), w = rand(4, ws), gy = rand(5, xs);
                    double flops = 2.0 * dpvm.tensor.Shape.numel(xs) * xs[1] * 27;
                    try {
                        for (MathMode m : new MathMode[] {MathMode.FP32, MathMode.TF32}) {
                            MathMode.set(m);
                            String p = "_" + m.name().toLowerCase();
                            emit("conv3d_fwd" + p, t.medianMs(warm, reps, () -> b.conv(x, w, spec).close()), flops, "TFLOP/s");
                            emit("conv3d_bwd_data" + p, t.medianMs(warm, reps, () -> b.convBackwardData(gy, w, xs, spec).close()), flops, "TFLOP/s");
                            emit("conv3d_bwd_weight" + p, t.medianMs(warm, reps, () -> b.convBackwardWeight(x, gy, ws, spec).close()), flops, "TFLOP/s");
                        }
                    } finally {
                        MathMode.set(MathMode.FP32);
                    }
                },
                (t, b) -> {
                    // softmax and layer norm over 8192x4096 rows: the floor is one read and one write
                    int r = size(8192, 64), c = size(4096, 512);
                    Tensor s = rand(6, r, c);
                    double bytes = 2.0 * r * c * 4;
                    emit("softmax_8192x4096", t.medianMs(warm, reps, () -> b.softmax(s, 1, false).close()), bytes, "GB/s");
                    // the fused layer-norm primitive, forward (y plus the per-row mean and rstd it saves for backward)
                    Tensor gamma = rand(7, c), beta = rand(8, c);
                    emit("layernorm_8192x4096", t.medianMs(warm, reps, () -> {
                        for (Tensor y : b.layerNorm(s, 1, gamma, beta, 1e-5)) y.close();
                    }), bytes, "GB/s");
                },
                (t, b) -> {
                    // fused elementwise programs (kernels generated at run time) against PyTorch's own kernels:
                    // batch norm in eval mode on a 3D ResNet activation, fused and op by op
                    int[] act = {size(32, 2), 64, size(16, 4), size(56, 8), size(56, 8)}, chan = {1, 64, 1, 1, 1};
                    Tensor bx = rand(11, act), rm = rand(12, 64), rv = rand(13, 64).add(0.5), bw = rand(14, 64), bb = rand(15, 64);
                    double bytes = 2.0 * dpvm.tensor.Shape.numel(act) * 4;
                    emit("batchnorm_eval_fused", t.medianMs(warm, reps, () -> Functional.batchNorm(bx, rm, rv, bw, bb, false, 0.1, 1e-5).close()), bytes, "GB/s");
                    emit("batchnorm_eval_op_by_op", t.medianMs(warm, reps, () -> {
                        try (dpvm.tensor.Scope ignored = dpvm.tensor.Scope.open()) {
                            bx.sub(rm.reshape(chan)).mul(rv.reshape(chan).add(1e-5).rsqrt()).mul(bw.reshape(chan)).add(bb.reshape(chan));
                        }
                    }), bytes, "GB/s");
                    // training mode: the per-channel statistics (a split reduction over N, D, H, W read in place),
                    // then the normalisation; the floor counts one read for the statistics and one read and write
                    emit("batchnorm_stats_sum", t.medianMs(warm, reps, () -> Functional.sum(bx, new int[] {0, 2, 3, 4}, false).close()), bytes / 2, "GB/s");
                    emit("batchnorm_train_fwd", t.medianMs(warm, reps, () -> {
                        try (dpvm.tensor.Scope ignored = dpvm.tensor.Scope.open()) {
                            Functional.batchNorm(bx, rm, rv, bw, bb, true, 0.1, 1e-5);
                        }
                    }), 1.5 * bytes, "GB/s");
                    // a training step's share: forward and backward (dx, dweight, dbias) from an upstream gradient;
                    // the floor: x read and y written, then x and dy read and dx written
                    Tensor gy = rand(17, act), wg = bw.detach().requiresGrad(true), bg = bb.detach().requiresGrad(true);
                    emit("batchnorm_train_fwd_bwd", t.medianMs(warm, reps, () -> {
                        try (dpvm.tensor.Scope ignored = dpvm.tensor.Scope.open()) {
                            Tensor xg = bx.detach().requiresGrad(true);
                            Functional.batchNorm(xg, rm, rv, wg, bg, true, 0.1, 1e-5).backward(gy);
                            xg.grad().close();
                            wg.zeroGrad();
                            bg.zeroGrad();
                        }
                    }), 2.5 * bytes, "GB/s");
                },
                (t, b) -> {
                    // reductions a training step makes: a linear layer's bias gradient (column sums of [8192, 768])
                    // and a mean over time of frame features [64, 256, 512]; the floor is one read of the input
                    Tensor rows = rand(18, size(8192, 64), 768), frames = rand(19, size(64, 2), 256, 512);
                    emit("bias_grad_8192x768", t.medianMs(warm, reps, () -> rows.sum(0, false).close()), 4.0 * rows.numel(), "GB/s");
                    emit("time_mean_64x256x512", t.medianMs(warm, reps, () -> frames.mean(1, false).close()), 4.0 * frames.numel(), "GB/s");
                },
                (t, b) -> {
                    // ResNet3d's stem pooling (3x3x3, stride 2, padding 1) forward with argmax, then the input
                    // gradient; the floor reads x and dy and writes y and dx once
                    int[] act = {size(8, 1), 64, size(16, 4), size(112, 12), size(112, 12)};
                    Backend.PoolSpec spec = new Backend.PoolSpec(new int[] {3, 3, 3}, new int[] {2, 2, 2}, new int[] {1, 1, 1}, new int[] {1, 1, 1}, false, false);
                    Tensor px = rand(20, act);
                    Tensor[] first = b.maxPool(px, spec);
                    Tensor pdy = rand(21, first[0].shape());
                    emit("maxpool3d_fwd_bwd", t.medianMs(warm, reps, () -> {
                        Tensor[] r = b.maxPool(px, spec);
                        b.maxPoolBackward(pdy, r[1], act, spec).close();
                        r[0].close();
                        r[1].close();
                    }), 8.0 * (px.numel() + pdy.numel()), "GB/s");
                    // an embedding's rows looked up and their gradient added back at repeated indices; the floor
                    // reads and writes the picked rows, reads their gradient and writes the table's gradient
                    int v = 32768, dim = 768, n = size(8192, 64);
                    Tensor table = rand(22, v, dim), eg = rand(23, n, dim);
                    Tensor ids = rand(24, n).mul(v).cast(DType.INT64);
                    emit("embedding_fwd_bwd_32768x768", t.medianMs(warm, reps, () -> {
                        b.indexSelect(table, 0, ids).close();
                        b.indexAdd(new int[] {v, dim}, 0, ids, eg).close();
                    }), 4.0 * (3.0 * n * dim + (double) v * dim) + 8.0 * n, "GB/s");
                },
                (t, b) -> {
                    // tanh GELU over 256 MiB: seven ops as one generated kernel
                    int n = size(64 << 20, 1 << 18);
                    Tensor g = rand(16, n);
                    emit("gelu_tanh_256MiB", t.medianMs(warm, reps, () -> Functional.geluTanh(g).close()), 2.0 * n * 4, "GB/s");
                },
                (t, b) -> {
                    // elementwise add of 256 MiB tensors against a device-to-device copy of the same size
                    int n = size(64 << 20, 1 << 18);
                    Tensor p = rand(9, n), q = rand(10, n), out = Tensor.empty(new int[] {n}, DType.FLOAT32, GPU);
                    emit("add_256MiB", t.medianMs(warm, reps, () -> b.binary(Backend.Binary.ADD, p, q).close()), 3.0 * n * 4, "GB/s");
                    emit("copy_d2d_256MiB", t.medianMs(warm, reps, () -> Cuda.check(cudart.cudaMemcpyAsync(Cuda.at(ptr(out)), Cuda.at(ptr(p)), 4L * n,
                            cudart.cudaMemcpyDeviceToDevice, dev.rawStream()), "cudaMemcpyAsync")), 2.0 * n * 4, "GB/s");
                },
                (t, b) -> {
                    // eager small-op cost: adds of 4-element tensors through the tensor front end, issued back to
                    // back then waited for once, by the wall clock; the host's cost of issuing a kernel is the limit
                    int n = size(10000, 200);
                    Tensor p = rand(25, 4), q = rand(26, 4);
                    double[] msPerOp = new double[6];
                    for (int round = 0; round < msPerOp.length; round++) {
                        dev.synchronize();
                        long t0 = System.nanoTime();
                        for (int i = 0; i < n; i++) p.add(q).close();
                        dev.synchronize();
                        msPerOp[round] = (System.nanoTime() - t0) / 1e6 / n;
                    }
                    double[] timed = java.util.Arrays.copyOfRange(msPerOp, 1, msPerOp.length); // the first round warms up
                    java.util.Arrays.sort(timed);
                    emit("tiny_add_eager", timed[timed.length / 2], 1, "kop/s");
                },
            };
            for (int i = 0; i < groups.length; i++) {
                try (dpvm.tensor.Scope ignored = dpvm.tensor.Scope.open()) {
                    groups[i].run(timer, be);
                } catch (Exception | Error e) {
                    failures++;
                    System.out.printf(Locale.ROOT, "{\"group\":%d,\"error\":\"%s\"}%n", i, String.valueOf(e).replace("\\", "/").replace("\"", "'").replace("\n", " "));
                    e.printStackTrace();
                }
            }
        }
        System.err.println("memory: " + dev.memoryStats());
        if (failures > 0) System.exit(1);
    }

    private static long ptr(Tensor t) {
        return ((dpvm.kernels.CudaStorage) t.storage()).address() + 4L * t.offset();
    }
}

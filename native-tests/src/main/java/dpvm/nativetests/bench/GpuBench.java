package dpvm.nativetests.bench;

import dpvm.kernels.Cuda;
import dpvm.kernels.CudaDevice;
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
 * name, median ms, and the work (FLOPs or bytes) that turns time into a rate.
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
        double rate = unit.equals("TFLOP/s") ? work / (ms * 1e9) : work / (ms * 1e6);
        System.out.printf(Locale.ROOT, "{\"case\":\"%s\",\"ms\":%.5f,\"rate\":%.2f,\"unit\":\"%s\"}%n", name, ms, rate, unit);
    }

    public static void main(String[] args) {
        CudaDevice dev = CudaDevice.get(0);
        int warm = 3, reps = 20;
        try (GpuTimer timer = new GpuTimer(dev)) {
            Backend be = Backends.of(GPU);

            // matmul 4096^3 in three precisions; bf16 here is cuBLAS's bf16 tensor-core mode on float32 storage
            Tensor a = rand(1, 4096, 4096), b = rand(2, 4096, 4096);
            double mmFlops = 2.0 * 4096 * 4096 * 4096;
            for (MathMode m : MathMode.values()) {
                MathMode.set(m);
                emit("matmul_4096_" + m.name().toLowerCase(), timer.medianMs(warm, reps, () -> be.matmul(a, b).close()), mmFlops, "TFLOP/s");
            }
            MathMode.set(MathMode.FP32);
            a.close();
            b.close();

            // conv3d N=32, 64->64 channels, 16x56x56, kernel 3, padding 1
            Backend.ConvSpec spec = new Backend.ConvSpec(new int[] {1, 1, 1}, new int[] {1, 1, 1}, new int[] {1, 1, 1}, 1);
            int[] xs = {32, 64, 16, 56, 56}, ws = {64, 64, 3, 3, 3};
            Tensor x = rand(3, xs), w = rand(4, ws), gy = rand(5, xs);
            double convFlops = 2.0 * 32 * 64 * 16 * 56 * 56 * 64 * 27;
            for (MathMode m : new MathMode[] {MathMode.FP32, MathMode.TF32}) {
                MathMode.set(m);
                String p = "_" + m.name().toLowerCase();
                emit("conv3d_fwd" + p, timer.medianMs(warm, reps, () -> be.conv(x, w, spec).close()), convFlops, "TFLOP/s");
                emit("conv3d_bwd_data" + p, timer.medianMs(warm, reps, () -> be.convBackwardData(gy, w, xs, spec).close()), convFlops, "TFLOP/s");
                emit("conv3d_bwd_weight" + p, timer.medianMs(warm, reps, () -> be.convBackwardWeight(x, gy, ws, spec).close()), convFlops, "TFLOP/s");
            }
            MathMode.set(MathMode.FP32);
            x.close();
            w.close();
            gy.close();

            // softmax and layer norm over 8192x4096 rows: the floor is one read and one write
            Tensor s = rand(6, 8192, 4096);
            double rowBytes = 2.0 * 8192 * 4096 * 4;
            emit("softmax_8192x4096", timer.medianMs(warm, reps, () -> be.softmax(s, 1, false).close()), rowBytes, "GB/s");
            // the fused layer-norm primitive, forward (y plus the per-row mean and rstd it saves for backward)
            Tensor gamma = rand(7, 4096), beta = rand(8, 4096);
            emit("layernorm_8192x4096", timer.medianMs(warm, reps, () -> {
                for (Tensor t : be.layerNorm(s, 1, gamma, beta, 1e-5)) t.close();
            }), rowBytes, "GB/s");
            s.close();

            // fused elementwise programs (kernels generated at run time) against PyTorch's own kernels: batch norm
            // in eval mode on a 3D ResNet activation, fused and op by op, and tanh GELU over 256 MiB
            int[] act = {32, 64, 16, 56, 56}, chan = {1, 64, 1, 1, 1};
            Tensor bx = rand(11, act), rm = rand(12, 64), rv = rand(13, 64).add(0.5), bw = rand(14, 64), bb = rand(15, 64);
            double actBytes = 2.0 * dpvm.tensor.Shape.numel(act) * 4;
            emit("batchnorm_eval_fused", timer.medianMs(warm, reps, () -> Functional.batchNorm(bx, rm, rv, bw, bb, false, 0.1, 1e-5).close()), actBytes, "GB/s");
            emit("batchnorm_eval_op_by_op", timer.medianMs(warm, reps, () -> {
                try (dpvm.tensor.Scope ignored = dpvm.tensor.Scope.open()) {
                    bx.sub(rm.reshape(chan)).mul(rv.reshape(chan).add(1e-5).rsqrt()).mul(bw.reshape(chan)).add(bb.reshape(chan));
                }
            }), actBytes, "GB/s");
            for (Tensor t : new Tensor[] {bx, rm, rv, bw, bb}) t.close();
            Tensor g = rand(16, 64 << 20);
            emit("gelu_tanh_256MiB", timer.medianMs(warm, reps, () -> Functional.geluTanh(g).close()), 2.0 * (64 << 20) * 4, "GB/s");
            g.close();

            // elementwise add of 256 MiB tensors against a device-to-device copy of the same size
            int n = 64 << 20;
            Tensor p = rand(9, n), q = rand(10, n), out = Tensor.empty(new int[] {n}, DType.FLOAT32, GPU);
            emit("add_256MiB", timer.medianMs(warm, reps, () -> be.binary(Backend.Binary.ADD, p, q).close()), 3.0 * n * 4, "GB/s");
            emit("copy_d2d_256MiB", timer.medianMs(warm, reps, () -> Cuda.check(cudart.cudaMemcpyAsync(Cuda.at(ptr(out)), Cuda.at(ptr(p)), 4L * n,
                    cudart.cudaMemcpyDeviceToDevice, dev.rawStream()), "cudaMemcpyAsync")), 2.0 * n * 4, "GB/s");
        }
        System.err.println("memory: " + dev.memoryStats());
    }

    private static long ptr(Tensor t) {
        return ((dpvm.kernels.CudaStorage) t.storage()).address() + 4L * t.offset();
    }
}

package dpvm.bench.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.norm.BatchNorm;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Batch norm in eval mode on a [16, 64, 8, 28, 28] activation of a 3D ResNet: {@code (x - mean) / sqrt(var +
 * eps) * w + b} per channel. {@code shape=fused} is the engine's batch norm (one fused elementwise program)
 * against libtorch's batch_norm kernel; {@code shape=ops} runs the same formula op by op on both sides, the way
 * an engine without fusion computes it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.ENGINE_THREADS, Jvm.TORCH_THREADS, Jvm.TORCH_INTEROP, Jvm.HEAP})
public class BatchNormApplyBench {
    static final int[] SHAPE = {16, 64, 8, 28, 28};
    static final int[] CHANNEL = {1, 64, 1, 1, 1};
    static final float EPS = 1e-5f;

    /** Bytes moved at the least: the activation read once and the result written once. */
    static double bytes() {
        return 2.0 * Data.numel(SHAPE) * Float.BYTES;
    }

    @State(Scope.Benchmark)
    public static class EngineInput {
        @Param({"fused", "ops"})
        public String shape;
        Tensor x, mean, var, w, b;

        @Setup
        public void make() {
            x = Tensor.of(Data.uniform(41, Data.numel(SHAPE), 3f), SHAPE);
            mean = Tensor.of(Data.uniform(42, 64, 1f), 64);
            var = Tensor.of(Data.uniform(43, 64, 1f), 64).abs().add(0.5);
            w = Tensor.of(Data.uniform(44, 64, 1f), 64);
            b = Tensor.of(Data.uniform(45, 64, 1f), 64);
        }

        @TearDown
        public void free() {
            for (Tensor t : new Tensor[] {x, mean, var, w, b}) t.close();
        }
    }

    @State(Scope.Benchmark)
    public static class TorchInput {
        @Param({"fused", "ops"})
        public String shape;
        NDManager manager;
        NDArray x, mean, var, w, b, meanC, varC, wC, bC;

        @Setup
        public void make() {
            manager = Torch.newManager();
            x = Torch.array(manager, Data.uniform(41, Data.numel(SHAPE), 3f), SHAPE);
            mean = Torch.array(manager, Data.uniform(42, 64, 1f), 64);
            var = Torch.array(manager, Data.uniform(43, 64, 1f), 64).abs().add(0.5f);
            w = Torch.array(manager, Data.uniform(44, 64, 1f), 64);
            b = Torch.array(manager, Data.uniform(45, 64, 1f), 64);
            long[] c = {1, 64, 1, 1, 1};
            meanC = mean.reshape(c);
            varC = var.reshape(c);
            wC = w.reshape(c);
            bC = b.reshape(c);
        }

        @TearDown
        public void free() {
            manager.close();
        }
    }

    @Benchmark
    public int engine(EngineInput in) {
        if (in.shape.equals("fused")) {
            try (Tensor y = Functional.batchNorm(in.x, in.mean, in.var, in.w, in.b, false, 0.1, EPS)) {
                return y.rank();
            }
        }
        try (dpvm.tensor.Scope s = dpvm.tensor.Scope.open()) {
            Tensor y = in.x.sub(in.mean.reshape(CHANNEL)).mul(in.var.reshape(CHANNEL).add(EPS).rsqrt())
                    .mul(in.w.reshape(CHANNEL)).add(in.b.reshape(CHANNEL));
            return y.rank();
        }
    }

    @Benchmark
    public long libtorch(TorchInput in) {
        if (in.shape.equals("fused")) {
            try (NDList y = BatchNorm.batchNorm(in.x, in.mean, in.var, in.w, in.b, 1, 0.1f, EPS, false)) {
                return y.head().size();
            }
        }
        // every intermediate closed at once, as the engine's scope does
        try (NDArray centred = in.x.sub(in.meanC); NDArray shifted = in.varC.add(EPS); NDArray rstd = shifted.pow(-0.5f);
             NDArray scaled = centred.mul(rstd); NDArray weighted = scaled.mul(in.wC); NDArray y = weighted.add(in.bC)) {
            return y.size();
        }
    }
}

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
 * Batch norm in training mode on the [16, 64, 8, 28, 28] activation of {@link BatchNormApplyBench}: the batch's
 * per-channel statistics, the normalisation and the running-statistics update. {@code shape=primitive} is the
 * engine's batch-norm primitive (statistics in one pass, then the normalisation) against libtorch's batch_norm;
 * {@code shape=composite} is how the engine computed it before, a mean, a variance and the fused normalisation,
 * against the same libtorch kernel.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.ENGINE_THREADS, Jvm.TORCH_THREADS, Jvm.TORCH_INTEROP, Jvm.HEAP})
public class BatchNormTrainBench {
    static final int[] SHAPE = BatchNormApplyBench.SHAPE;
    static final int[] STATS_DIMS = {0, 2, 3, 4};
    static final float EPS = 1e-5f;

    /** Bytes moved at the least: the activation read once and the result written once. */
    static double bytes() {
        return BatchNormApplyBench.bytes();
    }

    @State(Scope.Benchmark)
    public static class EngineInput {
        @Param({"primitive", "composite"})
        public String shape;
        Tensor x, runningMean, runningVar, w, b;

        @Setup
        public void make() {
            x = Tensor.of(Data.uniform(41, Data.numel(SHAPE), 3f), SHAPE);
            runningMean = Tensor.zeros(64);
            runningVar = Tensor.ones(64);
            w = Tensor.of(Data.uniform(44, 64, 1f), 64);
            b = Tensor.of(Data.uniform(45, 64, 1f), 64);
        }

        @TearDown
        public void free() {
            for (Tensor t : new Tensor[] {x, runningMean, runningVar, w, b}) t.close();
        }
    }

    @State(Scope.Benchmark)
    public static class TorchInput {
        @Param({"primitive", "composite"})
        public String shape;
        NDManager manager;
        NDArray x, runningMean, runningVar, w, b;

        @Setup
        public void make() {
            manager = Torch.newManager();
            x = Torch.array(manager, Data.uniform(41, Data.numel(SHAPE), 3f), SHAPE);
            runningMean = manager.zeros(new ai.djl.ndarray.types.Shape(64));
            runningVar = manager.ones(new ai.djl.ndarray.types.Shape(64));
            w = Torch.array(manager, Data.uniform(44, 64, 1f), 64);
            b = Torch.array(manager, Data.uniform(45, 64, 1f), 64);
        }

        @TearDown
        public void free() {
            manager.close();
        }
    }

    @Benchmark
    public int engine(EngineInput in) {
        if (in.shape.equals("primitive")) {
            try (Tensor y = Functional.batchNorm(in.x, in.runningMean, in.runningVar, in.w, in.b, true, 0.1, EPS)) {
                return y.rank();
            }
        }
        // the former composite: batch statistics by a mean and a variance, then the fused normalisation
        try (dpvm.tensor.Scope s = dpvm.tensor.Scope.open()) {
            Tensor mean = Functional.mean(in.x, STATS_DIMS, false), var = Functional.var(in.x, STATS_DIMS, false, false);
            Tensor y = Functional.batchNorm(in.x, mean, var, in.w, in.b, false, 0.1, EPS);
            return y.rank();
        }
    }

    @Benchmark
    public long libtorch(TorchInput in) {
        try (NDList y = BatchNorm.batchNorm(in.x, in.runningMean, in.runningVar, in.w, in.b, 1, 0.1f, EPS, true)) {
            return y.head().size();
        }
    }
}

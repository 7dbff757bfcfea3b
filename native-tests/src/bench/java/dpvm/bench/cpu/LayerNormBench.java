package dpvm.bench.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** Layer norm over the last dim of a [4096, 1024] float32 tensor, with weight and bias, eps 1e-5 (forward only). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.ENGINE_THREADS, Jvm.TORCH_THREADS, Jvm.TORCH_INTEROP, Jvm.HEAP})
public class LayerNormBench {
    static final int ROWS = 4096, COLS = 1024;
    static final float EPS = 1e-5f;

    /** Bytes moved at the least: input read once, output written once, weight and bias read once. */
    static double bytes() {
        return (2.0 * ROWS * COLS + 2.0 * COLS) * Float.BYTES;
    }

    @State(Scope.Benchmark)
    public static class EngineInput {
        Tensor x, weight, bias;

        @Setup
        public void make() {
            x = Tensor.of(Data.uniform(41, ROWS * COLS, 2f), ROWS, COLS);
            weight = Tensor.of(Data.uniform(42, COLS, 1f), COLS);
            bias = Tensor.of(Data.uniform(43, COLS, 1f), COLS);
        }

        @TearDown
        public void free() {
            x.close();
            weight.close();
            bias.close();
        }
    }

    @State(Scope.Benchmark)
    public static class TorchInput {
        NDManager manager;
        NDArray x, weight, bias;

        @Setup
        public void make() {
            manager = Torch.newManager();
            x = Torch.array(manager, Data.uniform(41, ROWS * COLS, 2f), ROWS, COLS);
            weight = Torch.array(manager, Data.uniform(42, COLS, 1f), COLS);
            bias = Torch.array(manager, Data.uniform(43, COLS, 1f), COLS);
        }

        @TearDown
        public void free() {
            manager.close();
        }
    }

    /** The engine's fused layer-norm primitive through Functional; the Scope frees the saved statistics. */
    @Benchmark
    public int engine(EngineInput in) {
        try (dpvm.tensor.Scope s = dpvm.tensor.Scope.open()) {
            return Functional.layerNorm(in.x, 1, in.weight, in.bias, EPS).rank();
        }
    }

    @Benchmark
    public long libtorch(TorchInput in) {
        try (NDList y = LayerNorm.layerNorm(in.x, new Shape(COLS), in.weight, in.bias, EPS)) {
            return y.head().size();
        }
    }
}

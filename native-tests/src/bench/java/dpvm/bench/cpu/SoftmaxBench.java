package dpvm.bench.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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

/** Softmax over the last dim of a [4096, 1024] float32 tensor (forward only). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.ENGINE_THREADS, Jvm.TORCH_THREADS, Jvm.TORCH_INTEROP, Jvm.HEAP})
public class SoftmaxBench {
    static final int ROWS = 4096, COLS = 1024;

    /** Bytes moved at the least: the input read once and the output written once. */
    static double bytes() {
        return 2.0 * ROWS * COLS * Float.BYTES;
    }

    @State(Scope.Benchmark)
    public static class EngineInput {
        Tensor x;

        @Setup
        public void make() {
            x = Tensor.of(Data.uniform(31, ROWS * COLS, 4f), ROWS, COLS);
        }

        @TearDown
        public void free() {
            x.close();
        }
    }

    @State(Scope.Benchmark)
    public static class TorchInput {
        NDManager manager;
        NDArray x;

        @Setup
        public void make() {
            manager = Torch.newManager();
            x = Torch.array(manager, Data.uniform(31, ROWS * COLS, 4f), ROWS, COLS);
        }

        @TearDown
        public void free() {
            manager.close();
        }
    }

    @Benchmark
    public int engine(EngineInput in) {
        try (Tensor y = in.x.softmax(-1)) {
            return y.rank();
        }
    }

    @Benchmark
    public long libtorch(TorchInput in) {
        try (NDArray y = in.x.softmax(-1)) {
            return y.size();
        }
    }
}

package dpvm.bench.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv3d;
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

/** conv3d forward without bias (see {@link Conv3dCase}); each call is about 90 GFLOP, so few iterations. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.ENGINE_THREADS, Jvm.TORCH_THREADS, Jvm.TORCH_INTEROP, Jvm.HEAP})
public class Conv3dForwardBench {
    @State(Scope.Benchmark)
    public static class TorchOperands {
        NDManager manager;
        NDArray x, w;

        @Setup
        public void make() {
            manager = Torch.newManager();
            x = Torch.array(manager, Conv3dCase.input(), Conv3dCase.X);
            w = Torch.array(manager, Conv3dCase.weight(), Conv3dCase.WEIGHT);
        }

        @TearDown
        public void free() {
            manager.close();
        }
    }

    static NDList torchConv(NDArray x, NDArray w) {
        Shape ones = new Shape(1, 1, 1);
        return Conv3d.conv3d(x, w, null, ones, ones, ones, 1);
    }

    @Benchmark
    public int engine(Conv3dCase.EngineOperands o) {
        try (Tensor y = Functional.conv(o.x, o.w, null, Conv3dCase.ONES, Conv3dCase.ONES, Conv3dCase.ONES, 1)) {
            return y.rank();
        }
    }

    @Benchmark
    public int libtorch(TorchOperands o) {
        try (NDList y = torchConv(o.x, o.w)) {
            return y.size();
        }
    }
}

package dpvm.bench.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dpvm.tensor.Backend;
import dpvm.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * conv3d backward: the input and weight gradients for an upstream gradient of ones (two passes of
 * {@link Conv3dCase#flopsPerPass()}). Only the backward is timed: libtorch's forward runs in an untimed
 * per-call setup, since DJL exposes the backward only through autograd.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.ENGINE_THREADS, Jvm.TORCH_THREADS, Jvm.TORCH_INTEROP, Jvm.HEAP})
public class Conv3dBackwardBench {
    /** A fresh graph per call: new leaves (so no gradient accumulates into an old one) and their forward. */
    @State(Scope.Benchmark)
    public static class TorchGraph {
        NDManager manager, step;
        NDArray x, w, y;
        GradientCollector collector;

        @Setup
        public void make() {
            manager = Torch.newManager();
            x = Torch.array(manager, Conv3dCase.input(), Conv3dCase.X);
            w = Torch.array(manager, Conv3dCase.weight(), Conv3dCase.WEIGHT);
        }

        @Setup(Level.Invocation)
        public void forward() {
            step = manager.newSubManager();
            NDArray xl = Leaves.fresh(x, step), wl = Leaves.fresh(w, step);
            collector = Torch.engine().newGradientCollector();
            NDList out = Conv3dForwardBench.torchConv(xl, wl);
            y = out.singletonOrThrow();
        }

        @TearDown(Level.Invocation)
        public void release() {
            collector.close();
            step.close();
        }

        @TearDown
        public void free() {
            manager.close();
        }
    }

    /** Exactly what the engine's conv gradient rule calls, with the upstream gradient made inside the timing. */
    @Benchmark
    public int engine(Conv3dCase.EngineOperands o) {
        Backend b = o.x.backend();
        try (Tensor gy = Tensor.ones(Conv3dCase.Y);
             Tensor dx = b.convBackwardData(gy, o.w, Conv3dCase.X, Conv3dCase.SPEC);
             Tensor dw = b.convBackwardWeight(o.x, gy, Conv3dCase.WEIGHT, Conv3dCase.SPEC)) {
            return dx.rank() + dw.rank();
        }
    }

    /** DJL's backward(y) seeds it with ones of y's shape, as the engine side does. */
    @Benchmark
    public void libtorch(TorchGraph g) {
        g.collector.backward(g.y);
    }
}

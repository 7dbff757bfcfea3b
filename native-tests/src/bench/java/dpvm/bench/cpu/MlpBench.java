package dpvm.bench.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
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

/**
 * One training step's forward and backward of Linear(2048, 1024) + ReLU + Linear(1024, 512), with biases, at
 * batch 16, on loss = sum(output): every parameter gets a gradient, no optimiser update.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.ENGINE_THREADS, Jvm.TORCH_THREADS, Jvm.TORCH_INTEROP, Jvm.HEAP})
public class MlpBench {
    static final int BATCH = 16, IN = 2048, HIDDEN = 1024, OUT = 512;

    /** Inputs and parameters in PyTorch's layout: weights are [out, in]. */
    static float[][] values() {
        float s1 = (float) (1 / Math.sqrt(IN)), s2 = (float) (1 / Math.sqrt(HIDDEN));
        return new float[][] {
                Data.uniform(21, BATCH * IN, 1f),
                Data.uniform(22, HIDDEN * IN, s1), Data.uniform(23, HIDDEN, s1),
                Data.uniform(24, OUT * HIDDEN, s2), Data.uniform(25, OUT, s2)};
    }

    @State(Scope.Benchmark)
    public static class EngineModel {
        Tensor x, w1, b1, w2, b2;

        @Setup
        public void make() {
            float[][] v = values();
            x = Tensor.of(v[0], BATCH, IN);
            w1 = Tensor.of(v[1], HIDDEN, IN).requiresGrad(true);
            b1 = Tensor.of(v[2], HIDDEN).requiresGrad(true);
            w2 = Tensor.of(v[3], OUT, HIDDEN).requiresGrad(true);
            b2 = Tensor.of(v[4], OUT).requiresGrad(true);
        }

        @TearDown
        public void free() {
            for (Tensor t : new Tensor[] {x, w1, b1, w2, b2}) {
                t.zeroGrad();
                t.close();
            }
        }
    }

    @State(Scope.Benchmark)
    public static class TorchModel {
        NDManager manager;
        NDArray x, w1, b1, w2, b2;

        @Setup
        public void make() {
            float[][] v = values();
            manager = Torch.newManager();
            x = Torch.array(manager, v[0], BATCH, IN);
            w1 = Torch.array(manager, v[1], HIDDEN, IN);
            b1 = Torch.array(manager, v[2], HIDDEN);
            w2 = Torch.array(manager, v[3], OUT, HIDDEN);
            b2 = Torch.array(manager, v[4], OUT);
        }

        @TearDown
        public void free() {
            manager.close();
        }
    }

    /** The step as a model would run it: in a Scope that frees activations and graph; gradients reset after. */
    @Benchmark
    public double engine(EngineModel m) {
        try (dpvm.tensor.Scope step = dpvm.tensor.Scope.open()) {
            Tensor h = Functional.relu(Functional.linear(m.x, m.w1, m.b1));
            Tensor loss = Functional.linear(h, m.w2, m.b2).sum();
            loss.backward();
        }
        double probe = m.w1.grad().numel();
        m.w1.zeroGrad();
        m.b1.zeroGrad();
        m.w2.zeroGrad();
        m.b2.zeroGrad();
        return probe;
    }

    /** The same step with DJL's GradientCollector; a sub-manager frees its arrays. */
    @Benchmark
    public long libtorch(TorchModel m) {
        try (NDManager step = m.manager.newSubManager();
             GradientCollector collector = Torch.engine().newGradientCollector()) {
            NDArray w1 = Leaves.fresh(m.w1, step), b1 = Leaves.fresh(m.b1, step);
            NDArray w2 = Leaves.fresh(m.w2, step), b2 = Leaves.fresh(m.b2, step);
            m.x.tempAttach(step);
            NDArray h = Activation.relu(Linear.linear(m.x, w1, b1).singletonOrThrow());
            NDArray loss = Linear.linear(h, w2, b2).singletonOrThrow().sum();
            collector.backward(loss);
            return w1.getGradient().size();
        }
    }
}

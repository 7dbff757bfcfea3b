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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** float32 C = A B, row-major, through each side's tensor API (matmul). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.ENGINE_THREADS, Jvm.TORCH_THREADS, Jvm.TORCH_INTEROP, Jvm.HEAP})
public class GemmBench {
    /** "N" is N x N times N x N; "MxKxN" is M x K times K x N (16x2048x1024: the DPVM projection). */
    @State(Scope.Benchmark)
    public static class Shape {
        @Param({"256", "512", "1024", "2048", "16x2048x1024"})
        public String shape;

        int m, k, n;

        @Setup
        public void parse() {
            int[] d = dims(shape);
            m = d[0];
            k = d[1];
            n = d[2];
        }
    }

    static int[] dims(String shape) {
        String[] p = shape.split("x");
        if (p.length == 1) {
            int s = Integer.parseInt(p[0]);
            return new int[] {s, s, s};
        }
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    /** 2MNK: one multiply and one add per term. */
    static double flops(String shape) {
        int[] d = dims(shape);
        return 2.0 * d[0] * d[1] * d[2];
    }

    @State(Scope.Benchmark)
    public static class EngineOperands {
        Tensor a, b;

        @Setup
        public void make(Shape s) {
            a = Tensor.of(Data.uniform(1, s.m * s.k, 1f), s.m, s.k);
            b = Tensor.of(Data.uniform(2, s.k * s.n, 1f), s.k, s.n);
        }

        @TearDown
        public void free() {
            a.close();
            b.close();
        }
    }

    @State(Scope.Benchmark)
    public static class TorchOperands {
        NDManager manager;
        NDArray a, b;

        @Setup
        public void make(Shape s) {
            manager = Torch.newManager();
            a = Torch.array(manager, Data.uniform(1, s.m * s.k, 1f), s.m, s.k);
            b = Torch.array(manager, Data.uniform(2, s.k * s.n, 1f), s.k, s.n);
        }

        @TearDown
        public void free() {
            manager.close();
        }
    }

    @Benchmark
    public int engine(EngineOperands o) {
        try (Tensor c = o.a.matmul(o.b)) {
            return c.rank();
        }
    }

    @Benchmark
    public long libtorch(TorchOperands o) {
        try (NDArray c = o.a.matMul(o.b)) {
            return c.size();
        }
    }
}

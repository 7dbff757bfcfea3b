package dpvm.bench.cpu;

import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.Tensor;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The conv3d case: N=8, 64 -> 64 channels, 16x56x56, kernel 3, stride 1, padding 1 (same-size output). */
public final class Conv3dCase {
    /** The engine's input and weight for this case, shared by the forward and backward benchmarks. */
    @State(Scope.Benchmark)
    public static class EngineOperands {
        Tensor x, w;

        @Setup
        public void make() {
            x = Tensor.of(input(), X);
            w = Tensor.of(weight(), WEIGHT);
        }

        @TearDown
        public void free() {
            x.close();
            w.close();
        }
    }

    private Conv3dCase() {}

    static final int N = 8, C = 64, O = 64, D = 16, H = 56, W = 56, K = 3;
    static final int[] X = {N, C, D, H, W};
    static final int[] WEIGHT = {O, C, K, K, K};
    static final int[] Y = {N, O, D, H, W};
    static final int[] ONES = {1, 1, 1};
    static final ConvSpec SPEC = new ConvSpec(ONES, ONES, ONES, 1);

    /** One pass: 2*N*O*C*27*D*H*W (the backward's data and weight gradients are one pass each). */
    static double flopsPerPass() {
        return 2.0 * N * O * C * K * K * K * D * H * W;
    }

    static float[] input() {
        return Data.uniform(11, Data.numel(X), 1f);
    }

    /** He-like scale, so outputs stay O(1). */
    static float[] weight() {
        return Data.uniform(12, Data.numel(WEIGHT), (float) Math.sqrt(3.0 / (C * K * K * K)));
    }
}

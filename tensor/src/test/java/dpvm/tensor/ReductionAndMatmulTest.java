package dpvm.tensor;

import dpvm.tensor.check.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reductions with dims and keepdim, argmax, variance, and matmul with broadcast batch dims. */
class ReductionAndMatmulTest {
    static java.util.stream.Stream<Device> devices() {
        return Backends4Test.devices();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void reductions(Device d) {
        OpCheck.of("sum all", x -> x[0].sum()).input(3, 4).expectShape().check(d);
        OpCheck.of("sum dim", x -> x[0].sum(1, false)).input(2, 5, 3).expectShape(2, 3).check(d);
        OpCheck.of("sum keepdim", x -> x[0].sum(-1, true)).input(2, 5, 3).expectShape(2, 5, 1).check(d);
        OpCheck.of("sum two dims", x -> Functional.sum(x[0], new int[] {0, 2}, false)).input(2, 5, 3).expectShape(5).check(d);
        OpCheck.of("mean", x -> x[0].mean(0, false)).input(7, 3).check(d);
        OpCheck.of("max", x -> x[0].max(1, false)).input(4, 9).check(d);
        OpCheck.of("max all", x -> x[0].max()).input(3, 3).check(d);
        OpCheck.of("min", x -> Ops.reduce(Backend.Reduce.MIN, x[0], new int[] {0}, true)).input(4, 2).check(d);
        OpCheck.of("var unbiased", x -> Functional.var(x[0], new int[] {1}, true, false)).input(3, 6).check(d);
        OpCheck.of("var biased keepdim", x -> Functional.var(x[0], new int[] {0, 1}, false, true)).input(3, 6).check(d);
        OpCheck.of("sum hand", x -> x[0].sum(0, false)).input(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3)).expectValues(5, 7, 9).check(d);
        OpCheck.of("var hand", x -> Functional.var(x[0], new int[] {0}, true, false)).input(Tensor.of(new double[] {1, 2, 3, 4}, 4))
                .expectValues(5.0 / 3).check(d);
        OpCheck.of("argmax", x -> x[0].argmax(1, false)).input(Tensor.of(new double[] {1, 5, 2, 7, 0, 7}, 2, 3)).expectValues(1, 0)
                .withoutGradients().check(d);
    }

    @Test
    void longSumsAreThreadCountIndependentAndAccurate() {
        int n = 1 << 20;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i % 3 == 0 ? 0.1f : -0.05f);
        double expected = 0;
        for (float f : v) expected += f;
        assertEquals(expected, Tensor.of(v, n).sum().item(), 1e-3);
    }

    @Test
    void maxGradientIsSharedAmongTies() {
        Tensor x = Tensor.of(new double[] {3, 1, 3}, 3).requiresGrad(true);
        x.max().backward();
        assertArrayEquals(new double[] {0.5, 0, 0.5}, x.grad().toDoubleArray(), 1e-12);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void matmul(Device d) {
        OpCheck.of("matmul 2d", x -> x[0].matmul(x[1])).input(3, 5).input(5, 4).expectShape(3, 4).check(d);
        OpCheck.of("matmul batched broadcast", x -> x[0].matmul(x[1])).input(2, 1, 3, 4).input(3, 4, 2).expectShape(2, 3, 3, 2).check(d);
        OpCheck.of("matmul transposed operands", x -> x[0].mT().matmul(x[1].mT())).input(5, 3).input(4, 5).expectShape(3, 4).check(d);
        OpCheck.of("matmul vector", x -> x[0].matmul(x[1])).input(4).input(4, 3).expectShape(3).check(d);
        OpCheck.of("matrix-vector", x -> x[0].matmul(x[1])).input(2, 4).input(4).expectShape(2).check(d);
        OpCheck.of("dot", x -> x[0].matmul(x[1])).input(6).input(6).expectShape().check(d);
        OpCheck.of("linear", x -> Functional.linear(x[0], x[1], x[2])).input(2, 3, 5).input(4, 5).input(4).expectShape(2, 3, 4).check(d);
        OpCheck.of("matmul hand", x -> x[0].matmul(x[1])).input(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2)).input(Tensor.of(new double[] {5, 6, 7, 8}, 2, 2))
                .expectValues(19, 22, 43, 50).check(d);
    }

    @Test
    void largeMatmulMatchesFloat64() {
        Rng rng = new Rng(3);
        Tensor a = rng.normal(new int[] {67, 300}, DType.FLOAT64, Device.CPU), b = rng.normal(new int[] {300, 129}, DType.FLOAT64, Device.CPU);
        double[] ref = a.matmul(b).toDoubleArray();
        double[] got = a.cast(DType.FLOAT32).matmul(b.cast(DType.FLOAT32)).toDoubleArray();
        double err = 0, norm = 0;
        for (int i = 0; i < ref.length; i++) {
            err += (got[i] - ref[i]) * (got[i] - ref[i]);
            norm += ref[i] * ref[i];
        }
        // float32 accumulation over K=300 terms: about sqrt(K) * 6e-8 relative
        assertEquals(0, Math.sqrt(err / norm), 5e-6, "relative error of float32 GEMM against float64");
    }
}

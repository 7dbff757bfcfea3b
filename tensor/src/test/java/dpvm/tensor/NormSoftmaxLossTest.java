package dpvm.tensor;

import dpvm.tensor.check.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Softmax family, normalisation layers, dropout and losses. */
class NormSoftmaxLossTest {
    static java.util.stream.Stream<Device> devices() {
        return Backends4Test.devices();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void softmaxFamily(Device d) {
        OpCheck.of("softmax last", x -> x[0].softmax(-1)).input(3, 5).check(d);
        OpCheck.of("softmax middle", x -> x[0].softmax(1)).input(2, 4, 3).check(d);
        OpCheck.of("log_softmax", x -> x[0].logSoftmax(0)).input(5, 2).check(d);
        OpCheck.of("softmax hand", x -> x[0].softmax(0)).input(Tensor.of(new double[] {0, Math.log(3)}, 2)).expectValues(0.25, 0.75).check(d);
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        Tensor y = Tensor.of(new float[] {1000, 1000, -1000}, 3).softmax(0);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0}, y.toFloatArray(), 1e-7f);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void normalisation(Device d) {
        OpCheck.of("layer_norm", x -> Functional.layerNorm(x[0], 1, x[1], x[2], 1e-5)).input(4, 6).input(6).input(6).check(d);
        OpCheck.of("layer_norm 2 dims", x -> Functional.layerNorm(x[0], 2, null, null, 1e-5)).input(2, 3, 4).check(d);
        OpCheck.of("batch_norm 2d train", x -> Functional.batchNorm(x[0], null, null, x[1], x[2], true, 0.1, 1e-5)).input(3, 4, 2, 3).input(4).input(4).check(d);
        OpCheck.of("batch_norm 3d train", x -> Functional.batchNorm(x[0], null, null, x[1], x[2], true, 0.1, 1e-5)).input(2, 3, 2, 2, 3).input(3).input(3).check(d);
        Tensor rm = Tensor.of(new double[] {0.1, -0.2, 0.3}, 3), rv = Tensor.of(new double[] {1.5, 0.5, 2}, 3);
        OpCheck.of("batch_norm eval", x -> Functional.batchNorm(x[0], x[3], x[4], x[1], x[2], false, 0.1, 1e-5))
                .input(2, 3, 4).input(3).input(3).constant(rm).constant(rv).check(d);
    }

    @Test
    void batchNormUpdatesRunningStatisticsLikePyTorch() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 10, 20, 30, 40}, 2, 2, 2); // channel 0: 1,2,10,20; channel 1: 3,4,30,40
        Tensor mean = Tensor.zeros(2), var = Tensor.ones(2);
        Functional.batchNorm(x, mean, var, null, null, true, 0.1, 1e-5);
        // batch mean 8.25 / 19.25; unbiased variance over 4 values
        double m0 = 8.25, v0 = ((1 - m0) * (1 - m0) + (2 - m0) * (2 - m0) + (10 - m0) * (10 - m0) + (20 - m0) * (20 - m0)) / 3;
        assertEquals(0.1 * m0, mean.toDoubleArray()[0], 1e-5);
        assertEquals(0.9 + 0.1 * v0, var.toDoubleArray()[0], 1e-4);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void losses(Device d) {
        Tensor targets = Tensor.ofLongs(new long[] {2, 0, 1, 2}, 4);
        OpCheck.of("cross_entropy", x -> Functional.crossEntropy(x[0], x[1], null, 0)).input(4, 3).input(targets).expectShape().check(d);
        OpCheck.of("cross_entropy weighted smoothed", x -> Functional.crossEntropy(x[0], x[1], x[2], 0.1))
                .input(4, 3).input(targets).constant(Tensor.of(new double[] {0.2, 1.0, 2.5}, 3)).check(d);
        OpCheck.of("cross_entropy hand", x -> Functional.crossEntropy(x[0], x[1], null, 0))
                .input(Tensor.of(new double[] {0, 0, 0, 0}, 2, 2)).input(Tensor.ofLongs(new long[] {0, 1}, 2)).expectValues(Math.log(2)).check(d);
        OpCheck.of("mse", x -> Functional.mse(x[0], x[1])).input(3, 4).input(3, 4).check(d);
        OpCheck.of("mse hand", x -> Functional.mse(x[0], x[1])).input(Tensor.of(new double[] {1, 2}, 2)).constant(Tensor.of(new double[] {0, 4}, 2))
                .expectValues(2.5).check(d);
        OpCheck.of("cosine_similarity", x -> Functional.cosineSimilarity(x[0], x[1], -1, 1e-8)).input(3, 5).input(3, 5).expectShape(3).check(d);
        OpCheck.of("normalize", x -> Functional.normalize(x[0], 1, 1e-12)).input(3, 4).check(d);
        OpCheck.of("cosine hand", x -> Functional.cosineSimilarity(x[0], x[1], 0, 1e-8)).input(Tensor.of(new double[] {1, 0}, 2))
                .input(Tensor.of(new double[] {1, 1}, 2)).expectValues(Math.sqrt(0.5)).check(d);
    }

    @Test
    void labelSmoothingMatchesItsDefinition() {
        // uniform logits over C classes: every term is log C whatever the smoothing
        Tensor logits = Tensor.zeros(3, 4);
        Tensor t = Tensor.ofLongs(new long[] {0, 3, 1}, 3);
        assertEquals(Math.log(4), Functional.crossEntropy(logits, t, null, 0.3).item(), 1e-6);
    }

    @Test
    void dropoutKeepsExpectationAndIsReproducible() {
        Tensor x = Tensor.ones(100_000);
        Tensor a = Functional.dropout(x, 0.3, true, new Rng(9)), b = Functional.dropout(x, 0.3, true, new Rng(9));
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertEquals(1.0, a.mean().item(), 0.01);
        float[] v = a.toFloatArray();
        long zeros = 0;
        for (float f : v) {
            assertTrue(f == 0 || Math.abs(f - 1 / 0.7f) < 1e-6);
            if (f == 0) zeros++;
        }
        assertEquals(0.3, zeros / 100_000.0, 0.01);
        assertArrayEquals(x.toFloatArray(), Functional.dropout(x, 0.3, false, new Rng(9)).toFloatArray());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void dropoutGradient(Device d) {
        OpCheck.of("dropout", x -> Functional.dropout(x[0], 0.4, true, new Rng(5))).input(6, 7).check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void attention(Device d) {
        OpCheck.of("attention", x -> Functional.scaledDotProductAttention(x[0], x[1], x[2], null)).input(2, 3, 4).input(2, 5, 4).input(2, 5, 6)
                .expectShape(2, 3, 6).check(d);
        double inf = Double.NEGATIVE_INFINITY;
        Tensor causal = Tensor.of(new double[] {0, inf, inf, 0, 0, inf, 0, 0, 0}, 3, 3);
        OpCheck.of("attention masked", x -> Functional.scaledDotProductAttention(x[0], x[1], x[2], x[3])).input(2, 2, 3, 4).input(2, 2, 3, 4)
                .input(2, 2, 3, 4).constant(causal).check(d);
    }

    @Test
    void causalMaskHidesTheFuture() {
        double inf = Double.NEGATIVE_INFINITY;
        Tensor mask = Tensor.of(new float[] {0, (float) inf, 0, 0}, 2, 2);
        Tensor q = Tensor.of(new float[] {1, 1}, 1, 2, 1), k = Tensor.of(new float[] {1, 1}, 1, 2, 1);
        Tensor v = Tensor.of(new float[] {10, 20}, 1, 2, 1);
        float[] out = Functional.scaledDotProductAttention(q, k, v, mask).toFloatArray();
        assertEquals(10, out[0], 1e-5); // first query sees only the first value
        assertEquals(15, out[1], 1e-5); // second sees both, equally
    }
}

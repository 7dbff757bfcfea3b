package dpvm.tensor;

import dpvm.tensor.check.OpCheck;
import dpvm.tensor.check.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /** Layer norm written out from its definition (the composite the primitive replaced). */
    private static Tensor layerNormDefinition(Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
        int[] dims = new int[normalizedDims];
        for (int i = 0; i < normalizedDims; i++) dims[i] = x.rank() - normalizedDims + i;
        Tensor centred = x.sub(Functional.mean(x, dims, true));
        Tensor var = Functional.mean(centred.mul(centred), dims, true);
        Tensor y = centred.mul(var.add(eps).rsqrt());
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }

    @ParameterizedTest
    @MethodSource("devices")
    void layerNormOddSizes(Device d) {
        for (int inner : new int[] {1, 7, 1000}) {
            OpCheck.of("layer_norm affine, inner " + inner, x -> Functional.layerNorm(x[0], 1, x[1], x[2], 1e-5)).input(2, inner).input(inner).input(inner).check(d);
            OpCheck.of("layer_norm weight only, inner " + inner, x -> Functional.layerNorm(x[0], 1, x[1], null, 1e-5)).input(3, inner).input(inner).check(d);
            OpCheck.of("layer_norm bias only, inner " + inner, x -> Functional.layerNorm(x[0], 1, null, x[1], 1e-5)).input(3, inner).input(inner).check(d);
            OpCheck.of("layer_norm plain, inner " + inner, x -> Functional.layerNorm(x[0], 1, null, null, 1e-5)).input(2, 1, inner).check(d);
        }
        OpCheck.of("layer_norm 2 dims affine", x -> Functional.layerNorm(x[0], 2, x[1], x[2], 1e-3)).input(3, 5, 7).input(5, 7).input(5, 7).check(d);
        OpCheck.of("layer_norm all dims", x -> Functional.layerNorm(x[0], 2, x[1], x[2], 1e-5)).input(4, 3).input(4, 3).input(4, 3).check(d);
        OpCheck.of("layer_norm broadcast weight", x -> Functional.layerNorm(x[0], 1, x[1], x[2], 1e-5)).input(3, 6).input(1, 6).input(6).check(d);
        double r = 1 / Math.sqrt(1 + 1e-5), q = 2 / Math.sqrt(4 + 1e-5);
        OpCheck.of("layer_norm hand", x -> Functional.layerNorm(x[0], 1, x[1], x[2], 1e-5)).input(Tensor.of(new double[] {1, 3, 0, 4}, 2, 2))
                .input(Tensor.of(new double[] {2, 1}, 2)).input(Tensor.of(new double[] {0.5, 0}, 2)).expectValues(0.5 - 2 * r, r, 0.5 - 2 * q, q).check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void layerNormMatchesItsDefinition(Device d) {
        // a mean far from zero (the one-pass statistics must not cancel), float64 on the device under test
        Rng rng = new Rng(3);
        Tensor x0 = rng.uniform(new int[] {5, 3, 33}, DType.FLOAT64, Device.CPU).mul(4).add(1000);
        Tensor w0 = rng.uniform(new int[] {3, 33}, DType.FLOAT64, Device.CPU), b0 = rng.uniform(new int[] {3, 33}, DType.FLOAT64, Device.CPU);
        Tolerance definition = new Tolerance("definition", 1e-9, 1e-11);
        for (int dims = 1; dims <= 2; dims++) {
            for (int affine = 0; affine < 4; affine++) {
                int nd = dims;
                boolean hasW = (affine & 1) != 0, hasB = (affine & 2) != 0;
                Tensor w = hasW ? (dims == 1 ? w0.select(0, 1) : w0) : null, b = hasB ? (dims == 1 ? b0.select(0, 2) : b0) : null;
                // upstream gradients arriving as a transposed view and as a stride-0 expansion
                for (boolean expanded : new boolean[] {false, true}) {
                    String what = "dims " + dims + (hasW ? " weight" : "") + (hasB ? " bias" : "") + (expanded ? ", expanded gradient" : ", transposed gradient");
                    Tensor[] fused = leaves(d, x0, w, b), ref = leaves(Device.CPU, x0, w, b);
                    Tensor y = Functional.layerNorm(fused[0], nd, fused[1], fused[2], 1e-5), yr = layerNormDefinition(ref[0], nd, ref[1], ref[2], 1e-5);
                    assertNull(definition.mismatch(y.toDoubleArray(), yr.toDoubleArray()), what + ": values");
                    if (expanded) {
                        y.sum().backward();
                        yr.sum().backward();
                    } else {
                        Tensor up = rng.uniform(new int[] {33, 3, 5}, DType.FLOAT64, Device.CPU);
                        y.transpose(0, 2).mul(up.to(d)).sum().backward();
                        yr.transpose(0, 2).mul(up).sum().backward();
                    }
                    for (int i = 0; i < 3; i++) {
                        if (fused[i] != null) assertNull(definition.mismatch(fused[i].grad().toDoubleArray(), ref[i].grad().toDoubleArray()), what + ": gradient " + i);
                    }
                }
            }
        }
    }

    private static Tensor[] leaves(Device d, Tensor... ts) {
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) out[i] = ts[i] == null ? null : ts[i].to(d).detach().requiresGrad(true);
        return out;
    }

    @ParameterizedTest
    @MethodSource("devices")
    void layerNormPrimitiveSavesItsStatistics(Device d) {
        Tensor x = Tensor.of(new double[] {1, 3, 0, 4, 5, 5}, 3, 2).to(d);
        Tensor[] r = Backends.of(d).layerNorm(x, 1, null, null, 0);
        assertArrayEquals(new double[] {2, 2, 5}, r[1].toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {1, 0.5, Double.POSITIVE_INFINITY}, r[2].toDoubleArray(), 1e-12);
        assertArrayEquals(new int[] {3}, r[1].shape());
        Tensor g = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2).to(d);
        Tensor[] grads = Backends.of(d).layerNormBackward(g, x.slice(0, 0, 2, 1), r[1].narrow(0, 0, 2), r[2].narrow(0, 0, 2), null, 1, false, true);
        assertArrayEquals(new double[] {0, 0, 0, 0}, grads[0].toDoubleArray(), 1e-12); // two-value rows normalise to -1, 1 whatever g
        assertNull(grads[1]);
        assertArrayEquals(new double[] {4, 6}, grads[2].toDoubleArray(), 1e-12);
        assertThrows(ShapeException.class, () -> Ops.layerNorm(x, 1, Tensor.ones(3).to(d).cast(DType.FLOAT64), null, 1e-5));
        assertThrows(ShapeException.class, () -> Ops.layerNorm(x, 3, null, null, 1e-5));
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

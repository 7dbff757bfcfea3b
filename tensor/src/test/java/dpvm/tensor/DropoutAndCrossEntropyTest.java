package dpvm.tensor;

import dpvm.tensor.check.OpCheck;
import dpvm.tensor.check.Tolerance;
import dpvm.tensor.cpu.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused dropout and cross-entropy primitives against the unfused compositions they replace: dropout bit for
 * bit (same Philox numbers, same comparison, same products, same generator advance), cross-entropy to the
 * precision's tolerance, on every test device; gradients, strided operands, odd sizes, edge cases, bad targets.
 */
class DropoutAndCrossEntropyTest {
    static java.util.stream.Stream<Device> devices() {
        return Backends4Test.devices();
    }

    // ---------------------------------------------------------------- references: the former compositions

    /** Dropout as it was composed before the fused primitive: a uniform fill, a comparison, two products. */
    private static Tensor unfusedDropout(Tensor x, double p, Rng rng) {
        Tensor keep = rng.uniform(x.shape, x.dtype(), x.device()).lt(x.like(1 - p));
        return x.mul(keep).mul(1 / (1 - p));
    }

    /** Cross-entropy as it was composed before the fused primitives: log-softmax, gather and reductions. */
    private static Tensor compositeCrossEntropy(Tensor logits, Tensor targets, Tensor classWeights, double labelSmoothing) {
        int n = logits.shape[0], c = logits.shape[1];
        Tensor logp = logits.logSoftmax(1);
        Tensor picked = Ops.gather(logp, 1, targets.unsqueeze(1)).squeeze(1);
        Tensor wy = classWeights == null ? null : Ops.indexSelect(classWeights, 0, targets);
        Tensor nll = (wy == null ? picked : picked.mul(wy)).sum().neg();
        Tensor denominator = wy == null ? logits.like(n) : wy.sum();
        Tensor loss = nll.div(denominator);
        if (labelSmoothing > 0) {
            Tensor all = classWeights == null ? logp : logp.mul(classWeights.reshape(1, c));
            Tensor smooth = all.sum().neg().div(denominator).div(c);
            loss = loss.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing));
        }
        return loss;
    }

    private static long[] bits(Tensor t) {
        if (t.dtype() == DType.FLOAT64) {
            double[] v = t.toDoubleArray();
            long[] b = new long[v.length];
            for (int i = 0; i < v.length; i++) b[i] = Double.doubleToRawLongBits(v[i]);
            return b;
        }
        float[] v = t.toFloatArray();
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    private static Tensor normal(long seed, DType dtype, Device d, int... shape) {
        return new Rng(seed).normal(shape, DType.FLOAT64, Device.CPU).mul(2).cast(dtype).to(d);
    }

    // ---------------------------------------------------------------- dropout

    @ParameterizedTest
    @MethodSource("devices")
    void dropoutEqualsTheUnfusedCompositionBitForBit(Device d) {
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor base = normal(1, dt, d, 6, 7, 5);
            Tensor[] xs = {base, Tensor.full(new int[] {1001}, 1, dt, d), base.transpose(0, 2), base.slice(1, 1, 7, 2),
                    normal(2, dt, d, 3, 1).expand(3, 9), Tensor.full(new int[0], 1.5, dt, d), Tensor.zeros(new int[] {0, 3}, dt, d)};
            for (Tensor x : xs) {
                for (double p : new double[] {0.1, 0.3, 0.5, 0.999}) {
                    for (long seed : new long[] {0, 42, -7}) {
                        Rng fused = new Rng(seed), unfused = new Rng(seed);
                        // two draws each, so the second starts where the first left the generator
                        for (int draw = 0; draw < 2; draw++) {
                            Tensor got = Functional.dropout(x, p, true, fused), want = unfusedDropout(x, p, unfused);
                            assertArrayEquals(want.shape, got.shape);
                            assertArrayEquals(bits(want), bits(got), dt + " " + Shape.str(x.shape) + " p=" + p + " seed=" + seed + " draw " + draw + " on " + d);
                            assertEquals(unfused.offset(), fused.offset(), "generator advance");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void dropoutGradientIsTheSameMaskOnTheUpstreamGradient(Device d) {
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor a = normal(3, dt, d, 9, 11).requiresGrad(true), b = normal(3, dt, d, 9, 11).requiresGrad(true);
            Tensor up = normal(4, dt, d, 11, 9).mT(); // a strided upstream gradient
            Tensor y = Functional.dropout(a.mT().mT(), 0.35, true, new Rng(8));
            y.backward(up);
            unfusedDropout(b, 0.35, new Rng(8)).backward(up);
            assertArrayEquals(bits(b.grad()), bits(a.grad()), dt + " on " + d);
            // kept elements pass the gradient scaled, dropped ones pass nothing
            double[] yv = y.toDoubleArray(), gv = a.grad().toDoubleArray(), uv = up.toDoubleArray();
            for (int i = 0; i < yv.length; i++) assertEquals(yv[i] == 0 ? 0 : uv[i] / 0.65, gv[i], 1e-5 * (1 + Math.abs(gv[i])));
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void dropoutOpChecks(Device d) {
        OpCheck.of("dropout odd", x -> Functional.dropout(x[0], 0.5, true, new Rng(11))).input(3, 5, 7).check(d);
        OpCheck.of("dropout almost all", x -> Functional.dropout(x[0], 0.9, true, new Rng(12))).input(13).check(d);
        OpCheck.of("dropout scalar", x -> Functional.dropout(x[0], 0.2, true, new Rng(13))).input().check(d);
        OpCheck.of("dropout primitive p=0", x -> Ops.dropout(x[0], 0, 5, 9)).input(4, 3).check(d);
        OpCheck.of("dropout primitive p=1", x -> Ops.dropout(x[0], 1, 5, 9)).input(4, 3).expectValues(new double[12]).check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void dropoutEdgeCases(Device d) {
        Tensor x = normal(5, DType.FLOAT32, d, 5, 4);
        Rng rng = new Rng(1);
        assertSame(x, Functional.dropout(x, 0, true, rng));
        assertSame(x, Functional.dropout(x, 0.5, false, rng));
        assertArrayEquals(bits(x.mul(0)), bits(Functional.dropout(x, 1, true, rng)));
        assertEquals(0, rng.offset(), "p = 0, p = 1 and eval mode draw nothing");
        // the primitive itself: p = 0 keeps everything unscaled, p = 1 gives x * 0 (signed zeros, like the composite)
        assertArrayEquals(bits(x), bits(Ops.dropout(x, 0, 3, 4)));
        assertArrayEquals(bits(x.mul(0)), bits(Ops.dropout(x, 1, 3, 4)));
        assertThrows(IllegalArgumentException.class, () -> Functional.dropout(x, 1.5, true, rng));
        assertThrows(IllegalArgumentException.class, () -> Ops.dropout(x, Double.NaN, 3, 4));
        assertThrows(ShapeException.class, () -> Functional.dropout(Tensor.ofLongs(new long[] {1, 2}, 2).to(d), 0.5, true, rng));
        assertEquals(0, rng.offset(), "refused calls draw nothing");
    }

    @Test
    void dropoutMaskDependsOnlyOnSeedOffsetAndIndex() {
        Tensor x = normal(6, DType.FLOAT32, Device.CPU, 301, 1003).transpose(0, 1);
        Supplier<Tensor> run = () -> Functional.dropout(x, 0.4, true, new Rng(77));
        assertArrayEquals(bits(run.get()), bits(Parallel.serially(run)), "one thread and the full pool");
        // element i is decided by uniform number i of the fill, whatever the layout of x
        Tensor dense = Functional.dropout(x.contiguous(), 0.4, true, new Rng(77));
        assertArrayEquals(bits(dense), bits(run.get()));
        float[] y = run.get().toFloatArray(), xv = x.toFloatArray();
        for (int i = 0; i < y.length; i += 997) assertEquals(Philox.uniformAt(77, 0, i) < (float) (1 - 0.4) ? xv[i] * (float) (1 / (1 - 0.4)) : 0f * xv[i], y[i]);
    }

    // ---------------------------------------------------------------- cross-entropy

    private record Case(String name, int n, int c, boolean weighted, double smoothing, DType index, boolean strided) {}

    private static final Case[] CASES = {
            new Case("plain", 7, 13, false, 0, DType.INT64, false),
            new Case("weighted smoothed int32", 7, 13, true, 0.1, DType.INT32, false),
            new Case("wide rows", 5, 300, false, 0.25, DType.INT64, false),
            new Case("one class", 1, 1, false, 0, DType.INT64, false),
            new Case("full smoothing", 33, 1000, true, 1, DType.INT32, false),
            new Case("strided operands", 4, 6, true, 0.3, DType.INT64, true),
            new Case("many rows", 300, 3, true, 0, DType.INT64, true),
    };

    /** Logits leaf (the base tensor that receives the gradient), the view fed to the loss, targets, weights. */
    private static Tensor[] operands(Case k, DType dt, Device d) {
        Tensor leaf, logits;
        if (k.strided) {
            leaf = normal(k.n * 31L + k.c, dt, d, k.c, k.n).requiresGrad(true);
            logits = leaf.mT();
        } else {
            leaf = normal(k.n * 31L + k.c, dt, d, k.n, k.c).requiresGrad(true);
            logits = leaf;
        }
        long[] t = new long[k.n * (k.strided ? 2 : 1)];
        for (int i = 0; i < t.length; i++) t[i] = (i * 7L + 3) % k.c;
        Tensor targets = Tensor.ofLongs(t, t.length).cast(k.index).to(d);
        if (k.strided) targets = targets.slice(0, 0, t.length, 2);
        Tensor w = null;
        if (k.weighted) {
            Tensor u = new Rng(k.c).uniform(new int[] {k.c * (k.strided ? 2 : 1)}, DType.FLOAT64, Device.CPU).mul(2).add(0.1).cast(dt).to(d);
            w = k.strided ? u.slice(0, 1, k.c * 2, 2) : u;
        }
        return new Tensor[] {leaf, logits, targets, w};
    }

    /** Loss and logits gradient of the fused and the composite form, float64 on the CPU for the composite. */
    @ParameterizedTest
    @MethodSource("devices")
    void crossEntropyMatchesTheComposite(Device d) {
        for (Case k : CASES) {
            Tensor[] ref = operands(k, DType.FLOAT64, Device.CPU);
            Tensor refLoss = compositeCrossEntropy(ref[1], ref[2], ref[3], k.smoothing);
            refLoss.backward();
            for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
                Tolerance tol = dt == DType.FLOAT64 ? Tolerance.FP64 : Tolerance.FP32;
                Tensor[] x = operands(k, dt, d);
                Tensor loss = Functional.crossEntropy(x[1], x[2], x[3], k.smoothing);
                assertArrayEquals(new int[0], loss.shape);
                assertEquals(dt, loss.dtype());
                loss.backward();
                String where = k.name + " " + dt + " on " + d + ": ";
                assertNull(tol.mismatch(loss.toDoubleArray(), refLoss.toDoubleArray()), where + "loss " + tol.mismatch(loss.toDoubleArray(), refLoss.toDoubleArray()));
                String g = tol.mismatch(x[0].grad().toDoubleArray(), ref[0].grad().toDoubleArray());
                assertNull(g, where + "gradient " + g);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void crossEntropyPrimitiveGivesRowTermsLogSumExpAndTargetWeights(Device d) {
        Tensor logits = normal(21, DType.FLOAT64, d, 5, 9).add(Tensor.of(new double[] {0, 100, -50, 0, 3}, 5, 1).to(d));
        Tensor targets = Tensor.ofInts(new int[] {8, 0, 3, 3, 1}, 5).to(d);
        Tensor w = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 9).to(d);
        Tensor[] r = Backends.of(d).crossEntropy(logits, targets, w, 0.2);
        Tensor lse = logits.exp().sum(1, false).log();
        Tensor nll = Ops.gather(lse.unsqueeze(1).sub(logits), 1, targets.unsqueeze(1)).squeeze(1);
        Tensor wt = Ops.indexSelect(w, 0, targets);
        Tensor smooth = lse.unsqueeze(1).sub(logits).mul(w).sum(1, false).mul(0.2 / 9);
        assertNull(Tolerance.FP64.mismatch(r[0].toDoubleArray(), nll.mul(wt).mul(0.8).add(smooth).toDoubleArray()));
        assertArrayEquals(logits.max(1, false).toDoubleArray(), r[1].toDoubleArray());
        assertNull(Tolerance.FP64.mismatch(r[1].add(r[2]).toDoubleArray(), lse.toDoubleArray()));
        assertArrayEquals(new double[] {9, 1, 4, 4, 2}, r[3].toDoubleArray());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void crossEntropyOpChecks(Device d) {
        Tensor odd = Tensor.ofInts(new int[] {12, 0, 5, 7, 7, 1, 11}, 7);
        OpCheck.of("cross_entropy odd", x -> Functional.crossEntropy(x[0], x[1], null, 0)).input(7, 13).input(odd).expectShape().check(d);
        double[] w = new double[300];
        for (int j = 0; j < w.length; j++) w[j] = 0.5 + (j % 7) * 0.25;
        Tensor wide = Tensor.ofLongs(new long[] {299, 0, 150, 7, 255}, 5);
        OpCheck.of("cross_entropy weighted smoothed wide", x -> Functional.crossEntropy(x[0], x[1], x[2], 0.2)).input(5, 300).input(wide)
                .constant(Tensor.of(w, 300)).check(d);
        OpCheck.of("cross_entropy smoothing 1", x -> Functional.crossEntropy(x[0], x[1], null, 1)).input(3, 4).input(Tensor.ofLongs(new long[] {0, 3, 1}, 3)).check(d);
        OpCheck.of("cross_entropy one class", x -> Functional.crossEntropy(x[0], x[1], null, 0.5)).input(2, 1).input(Tensor.ofLongs(new long[] {0, 0}, 2))
                .expectValues(0).check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void crossEntropyHandlesExtremeLogits(Device d) {
        double inf = Double.POSITIVE_INFINITY;
        // a masked (-inf) class is fine without smoothing; large logits do not overflow
        Tensor logits = Tensor.of(new double[] {-inf, 0, Math.log(3), 1000, 1000, -1000}, 2, 3).cast(DType.FLOAT32).to(d).requiresGrad(true);
        Tensor t = Tensor.ofLongs(new long[] {2, 0}, 2).to(d);
        Tensor loss = Functional.crossEntropy(logits, t, null, 0);
        assertEquals((-Math.log(0.75) + Math.log(2)) / 2, loss.item(), 1e-6);
        loss.backward();
        assertArrayEquals(new double[] {0, 0.125, -0.125, -0.25, 0.25, 0}, logits.grad().toDoubleArray(), 1e-6);
        assertEquals(inf, Functional.crossEntropy(logits.detach(), t, null, 0.1).item(), "smoothing over a -inf logit");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void badTargetsAreRefusedOnEveryBackend(Device d) {
        Tensor logits = Tensor.zeros(new int[] {4, 3}, DType.FLOAT32, d);
        for (DType index : new DType[] {DType.INT64, DType.INT32}) {
            for (long bad : new long[] {3, -1, 1L << 33}) {
                if (index == DType.INT32 && bad > Integer.MAX_VALUE) continue;
                Tensor t = Tensor.ofLongs(new long[] {0, 2, bad, 1}, 4).cast(index).to(d);
                // item(): a GPU reports bad indices at the next wait for it, not at the op
                ShapeException e = assertThrows(ShapeException.class, () -> Functional.crossEntropy(logits, t, null, 0.1).item());
                for (String part : new String[] {"cross_entropy", "index " + bad, "size 3", "[4, 3]"}) assertTrue(e.getMessage().contains(part), e.getMessage());
            }
        }
        // nothing is left behind: a good call afterwards works
        assertEquals(Math.log(3), Functional.crossEntropy(logits, Tensor.ofLongs(new long[] {0, 2, 2, 1}, 4).to(d), null, 0).item(), 1e-6);
    }

    @Test
    void crossEntropyOperandChecks() {
        Tensor logits = Tensor.zeros(4, 3), t = Tensor.ofLongs(new long[] {0, 1, 2, 0}, 4);
        assertThrows(ShapeException.class, () -> Functional.crossEntropy(logits, Tensor.ofLongs(new long[] {0, 1}, 2), null, 0));
        assertThrows(ShapeException.class, () -> Functional.crossEntropy(logits, t.cast(DType.FLOAT32), null, 0));
        assertThrows(ShapeException.class, () -> Functional.crossEntropy(logits, t, Tensor.ones(4), 0));
        assertThrows(ShapeException.class, () -> Functional.crossEntropy(logits, t, Tensor.of(new double[] {1, 1, 1}, 3), 0));
        assertThrows(IllegalArgumentException.class, () -> Functional.crossEntropy(logits, t, null, 1.5));
        // class weights take no gradient, as in PyTorch: refused while recording, accepted under noGrad
        Tensor w = Tensor.ones(3).requiresGrad(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Functional.crossEntropy(logits.requiresGrad(true), t, w, 0));
        assertTrue(e.getMessage().contains("class weights"), e.getMessage());
        assertEquals(Math.log(3), Autograd.noGrad(() -> Functional.crossEntropy(logits, t, w, 0)).item(), 1e-6);
        // no rows: 0 / 0, as the composite gave
        assertTrue(Double.isNaN(Functional.crossEntropy(Tensor.zeros(0, 3), Tensor.ofLongs(new long[0], 0), null, 0).item()));
    }

    @Test
    void crossEntropyDoesNotDependOnTheThreadCount() {
        Supplier<double[][]> step = () -> {
            Tensor logits = normal(31, DType.FLOAT32, Device.CPU, 37, 4099).mT().detach().requiresGrad(true);
            long[] t = new long[4099];
            for (int i = 0; i < t.length; i++) t[i] = (i * 13L) % 37;
            Tensor w = new Rng(3).uniform(new int[] {37}, DType.FLOAT32, Device.CPU);
            Tensor loss = Functional.crossEntropy(logits, Tensor.ofLongs(t, t.length), w, 0.1);
            loss.backward();
            return new double[][] {loss.toDoubleArray(), logits.grad().toDoubleArray()};
        };
        double[][] parallel = step.get(), serial = Parallel.serially(step);
        assertArrayEquals(serial[0], parallel[0]);
        assertArrayEquals(serial[1], parallel[1]);
    }
}

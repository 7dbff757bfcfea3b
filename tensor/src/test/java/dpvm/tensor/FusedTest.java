package dpvm.tensor;

import dpvm.tensor.check.OpCheck;
import dpvm.tensor.check.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fused elementwise programs: the same values as their ops run one by one, derived gradients, bad programs. */
class FusedTest {
    private static final Expr X0 = Expr.input(0), X1 = Expr.input(1), X2 = Expr.input(2), X3 = Expr.input(3), X4 = Expr.input(4);

    static java.util.stream.Stream<Device> devices() {
        return Backends4Test.devices();
    }

    /** (x - mean) / sqrt(var + eps) * w + b, as batch norm applies it. */
    private static final Fused NORMALISE = Fused.define("test_normalise", 5, X0.sub(X1).mul(X2.add(1e-5).rsqrt()).mul(X3).add(X4));
    /** Every operator kind at least once: comparisons feeding where, pow, max/min, division, unary functions. */
    private static final Fused MIXED = Fused.define("test_mixed", 2,
            Expr.where(X0.gt(X1), X0.mul(X1).exp(), X0.pow(2).div(X1.mul(X1).add(1))).maximum(X0.tanh()).minimum(X1.sigmoid().add(X0.abs())));

    private static Tensor normaliseOneByOne(Tensor[] x) {
        return x[0].sub(x[1]).mul(x[2].add(1e-5).rsqrt()).mul(x[3]).add(x[4]);
    }

    private static Tensor mixedOneByOne(Tensor[] x) {
        Tensor a = x[0], b = x[1];
        return Ops.where(a.gt(b), a.mul(b).exp(), a.pow(2).div(b.mul(b).add(1))).maximum(a.tanh()).minimum(b.sigmoid().add(a.abs()));
    }

    private static Tensor[] randomInputs(long seed, Device d, int[]... shapes) {
        Tensor[] out = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) out[i] = new Rng(seed + i).uniform(shapes[i], DType.FLOAT32, Device.CPU).mul(3).sub(1).to(d);
        return out;
    }

    @ParameterizedTest
    @MethodSource("devices")
    void fusedChainsGiveTheValuesOfTheirOpsRunOneByOne(Device d) {
        // broadcast operands, a transposed (non-contiguous) view, positive variances
        Tensor[] n = randomInputs(1, d, new int[] {4, 3, 5}, new int[] {1, 3, 1}, new int[] {1, 3, 1}, new int[] {3, 1}, new int[] {5});
        n[0] = n[0].transpose(0, 2).contiguous().transpose(0, 2);
        n[2] = n[2].abs();
        sameValues(d, NORMALISE.apply(n), normaliseOneByOne(n));
        Tensor[] m = randomInputs(7, d, new int[] {6, 1, 7}, new int[] {5, 1});
        sameValues(d, MIXED.apply(m), mixedOneByOne(m));
        Tensor[] one = randomInputs(9, d, new int[] {33, 17});
        sameValues(d, Functional.geluTanh(one[0]), geluTanhOneByOne(one[0]));
        sameValues(d, Functional.silu(one[0]), one[0].mul(one[0].sigmoid()));
    }

    /**
     * Bit for bit on the CPU, whose interpreter rounds after every node as each op does. A GPU compiles the
     * chain into one kernel, where the same device functions may be scheduled differently, so there it is held
     * to the float32 tolerance.
     */
    private static void sameValues(Device d, Tensor fused, Tensor oneByOne) {
        assertArrayEquals(oneByOne.shape(), fused.shape());
        if (d.equals(Device.CPU)) {
            assertArrayEquals(oneByOne.toFloatArray(), fused.toFloatArray());
        } else {
            String m = Tolerance.FP32.mismatch(fused.toDoubleArray(), oneByOne.toDoubleArray());
            assertNull(m, m);
        }
    }

    private static Tensor geluTanhOneByOne(Tensor x) {
        Tensor inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        return x.mul(inner.tanh().add(1)).mul(0.5);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void derivedGradientsPassTheOpChecks(Device d) {
        OpCheck.of("fused normalise", NORMALISE::apply).input(2, 3, 4).input(1, 3, 1).inputBetween(0.5, 2, 1, 3, 1).input(3, 1).input(4)
                .expectShape(2, 3, 4).check(d);
        OpCheck.of("fused mixed", MIXED::apply).input(3, 1, 4).inputBetween(0.5, 2, 5, 1).check(d);
        OpCheck.of("fused input used twice", x -> Fused.define("test_square_plus", 1, X0.mul(X0).add(X0)).apply(x)).input(7).check(d);
        // x1 only feeds a comparison: it has no gradient, and x0's passes through the where
        OpCheck.of("fused where mask", x -> Fused.define("test_mask", 2, Expr.where(X1.gt(Expr.constant(0)), Expr.apply(Backend.Unary.SIN, X0), Expr.apply(Backend.Unary.COS, X0))).apply(x))
                .input(4, 5).constant(Tensor.of(new double[] {-1, 1, 2, -3, 0}, 5)).check(d);
        OpCheck.of("fused 0-d", x -> Fused.define("test_scalar", 2, X0.div(X1).log()).apply(x)).inputBetween(0.5, 2).inputBetween(0.5, 2, 3).check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void derivedGradientsEqualAutogradsThroughTheSameChain(Device d) {
        Tensor[] a = randomInputs(3, d, new int[] {5, 6}, new int[] {6});
        Tensor[] b = new Tensor[a.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i].cast(DType.FLOAT64).requiresGrad(true);
            b[i] = a[i].detach().requiresGrad(true);
        }
        MIXED.apply(a).sum().backward();
        mixedOneByOne(b).sum().backward();
        for (int i = 0; i < a.length; i++) {
            String m = Tolerance.FP64.mismatch(a[i].grad().toDoubleArray(), b[i].grad().toDoubleArray());
            assertNull(m, "gradient of input " + i + ": " + m);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void multipleOutputsComeFromOnePass(Device d) {
        Fused both = Fused.define("test_two_outputs", 2, X0.add(X1), X0.mul(X1).neg());
        Tensor[] x = randomInputs(5, d, new int[] {3, 4}, new int[] {4});
        Tensor[] y = both.applyAll(x);
        assertEquals(2, y.length);
        sameValues(d, y[0], x[0].add(x[1]));
        sameValues(d, y[1], x[0].mul(x[1]).neg());
        assertThrows(IllegalArgumentException.class, () -> both.apply(x));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void theWidestProgramRuns(Device d) {
        // sixteen inputs and one output: the most operands a generated kernel walks
        Expr e = X0;
        int[][] shapes = new int[Fused.MAX_INPUTS][];
        for (int j = 0; j < Fused.MAX_INPUTS; j++) {
            if (j > 0) e = e.add(Expr.input(j).mul(j));
            shapes[j] = j % 2 == 0 ? new int[] {3, 5} : new int[] {5};
        }
        Tensor[] x = randomInputs(11, d, shapes);
        Tensor want = x[0];
        for (int j = 1; j < x.length; j++) want = want.add(x[j].mul(j));
        sameValues(d, Fused.define("test_wide_sum", Fused.MAX_INPUTS, e).apply(x), want);
    }

    @Test
    void backwardIsOneProgramOverTheInputsAndTheUpstreamGradient() {
        Fused.Backward all = NORMALISE.backward(new boolean[] {true, true, true, true, true});
        assertEquals(6, all.program().inputs(), "five inputs and the upstream gradient");
        assertEquals(5, all.program().outputs());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, all.outputOf());
        Fused.Backward onlyX = NORMALISE.backward(new boolean[] {true, false, false, false, false});
        assertEquals(1, onlyX.program().outputs());
        assertArrayEquals(new int[] {0, -1, -1, -1, -1}, onlyX.outputOf());
        assertSame(onlyX, NORMALISE.backward(new boolean[] {true, false, false, false, false}), "derived once per set of inputs");
        // a repeated subexpression is one node: x * x + x has the input, the product and the sum
        assertEquals(3, Fused.define("test_square_plus", 1, X0.mul(X0).add(X0)).nodes().size());
        Fused.Backward none = Fused.define("test_compare", 2, X0.gt(X1)).backward(new boolean[] {true, true});
        assertNull(none.program(), "a comparison has no gradient");
    }

    @Test
    void programsAreInterned() {
        assertSame(Fused.define("test_interned", 1, X0.exp().add(1)), Fused.define("test_interned", 1, X0.exp().add(1)));
        assertTrue(Fused.define("test_interned", 1, X0.exp().add(2)) != Fused.define("test_interned", 1, X0.exp().add(1)));
    }

    @Test
    void badProgramsAndOperandsAreNamed() {
        String m = assertThrows(IllegalArgumentException.class, () -> Fused.define("test_bad", 2, X0.add(X3))).getMessage();
        assertTrue(m.contains("x3") && m.contains("2 inputs"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Fused.define("Bad Name", 1, X0)).getMessage();
        assertTrue(m.contains("Bad Name"), m);
        assertThrows(IllegalArgumentException.class, () -> Fused.define("test_none", 1));
        Fused add = Fused.define("test_add", 2, X0.add(X1));
        Tensor f = Tensor.zeros(new int[] {2, 3}, DType.FLOAT32, Device.CPU);
        m = assertThrows(ShapeException.class, () -> add.apply(f)).getMessage();
        assertTrue(m.contains("test_add") && m.contains("2 inputs"), m);
        m = assertThrows(ShapeException.class, () -> add.apply(f, Tensor.zeros(new int[] {3}, DType.FLOAT64, Device.CPU))).getMessage();
        assertTrue(m.contains("dtypes differ"), m);
        m = assertThrows(ShapeException.class, () -> add.apply(f, Tensor.zeros(new int[] {4}, DType.FLOAT32, Device.CPU))).getMessage();
        assertTrue(m.contains("[2, 3]") && m.contains("[4]"), m);
        Tensor i = Tensor.zeros(new int[] {2, 3}, DType.INT32, Device.CPU);
        m = assertThrows(ShapeException.class, () -> add.apply(i, i)).getMessage();
        assertTrue(m.contains("floating"), m);
        assertThrows(IllegalArgumentException.class, () -> Expr.input(-1));
        Function<Integer, Expr> sum = k -> {
            Expr e = X0;
            for (int j = 1; j < k; j++) e = e.add(Expr.input(j));
            return e;
        };
        m = assertThrows(IllegalArgumentException.class, () -> Fused.define("test_wide", Fused.MAX_INPUTS + 1, sum.apply(Fused.MAX_INPUTS + 1))).getMessage();
        assertTrue(m.contains("1 to " + Fused.MAX_INPUTS), m);
        assertEquals(Fused.MAX_INPUTS, Fused.define("test_widest", Fused.MAX_INPUTS, sum.apply(Fused.MAX_INPUTS)).inputs());
    }
}

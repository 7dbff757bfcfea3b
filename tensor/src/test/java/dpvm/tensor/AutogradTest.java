package dpvm.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The semantics of the graph: accumulation, reuse, noGrad, detach, upstream gradients, release. */
class AutogradTest {
    /** y itself (a copy), with a rule that records the gradient it is given and passes {@code pass} on (or the gradient). */
    private static Tensor spy(Tensor x, java.util.List<Tensor> seen, Tensor pass) {
        Tensor y = Autograd.noGrad(() -> x.mul(1));
        return Autograd.record("spy", y, g -> {
            seen.add(g);
            return new Tensor[] {pass != null ? pass : g};
        }, x);
    }

    @Test
    void backwardFreesTheGradientsItMadeOnceUsedAndNothingElse() {
        Tensor x = Tensor.of(new double[] {0.5, -1, 2}, 3).requiresGrad(true);
        java.util.List<Tensor> seen = new java.util.ArrayList<>();
        Tensor y = spy(spy(x.exp(), seen, null).exp(), seen, null);
        Tensor upstream = Tensor.of(new double[] {1, 2, 3}, 3);
        y.backward(upstream);
        assertEquals(2, seen.size());
        for (Tensor g : seen) {
            if (g != upstream) assertTrue(g.isClosed(), "a gradient made by the pass is freed once used");
        }
        assertFalse(upstream.isClosed(), "the caller's upstream gradient stays open");
        double[] xs = {0.5, -1, 2}, want = new double[3];
        for (int i = 0; i < 3; i++) want[i] = (i + 1) * Math.exp(Math.exp(xs[i])) * Math.exp(xs[i]);
        assertArrayEquals(want, x.grad().toDoubleArray(), 1e-9);
        assertFalse(x.grad().isClosed());

        // a gradient a rule takes from outside the pass (here a tensor of the forward) is never closed
        Tensor outside = Tensor.of(new double[] {7, 8, 9}, 3);
        Tensor z = Tensor.of(new double[] {1, 1, 1}, 3).requiresGrad(true);
        spy(z.mul(2), new java.util.ArrayList<>(), outside).sum().backward();
        assertFalse(outside.isClosed());
        assertArrayEquals(new double[] {14, 16, 18}, z.grad().toDoubleArray(), 1e-12);
    }
    @Test
    void reusedTensorAccumulatesGradients() {
        Tensor x = Tensor.of(new double[] {2, 3}, 2).requiresGrad(true);
        Tensor y = x.mul(x).add(x).sum(); // d/dx = 2x + 1
        y.backward();
        assertArrayEquals(new double[] {5, 7}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void leafGradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = Tensor.of(new double[] {1}, 1).requiresGrad(true);
        x.mul(3).sum().backward();
        x.mul(4).sum().backward();
        assertEquals(7, x.grad().item(), 1e-12);
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void backwardWithUpstreamGradient() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = x.mul(x);
        y.backward(Tensor.of(new double[] {1, 0, -1}, 3));
        assertArrayEquals(new double[] {2, 0, -6}, x.grad().toDoubleArray(), 1e-12);
        var e = assertThrows(ShapeException.class, () -> x.mul(2).backward());
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void noGradAndDetachRecordNothing() throws Exception {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        try (AutoCloseable ignored = Autograd.noGrad()) {
            assertFalse(x.mul(2).requiresGrad());
        }
        assertTrue(x.mul(2).requiresGrad());
        Tensor d = x.mul(2).detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertThrows(IllegalStateException.class, () -> d.sum().backward());
    }

    @Test
    void graphIsReleasedAfterBackward() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor h = x.exp();
        Tensor y = h.sum();
        assertEquals("sum", y.opName());
        y.backward();
        assertNull(y.opName());
        assertNull(h.opName());
    }

    @Test
    void gradientsFlowOnlyToInputsThatNeedThem() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {3, 4}, 2);
        a.mul(b).sum().backward();
        assertArrayEquals(new double[] {3, 4}, a.grad().toDoubleArray(), 1e-12);
        assertNull(b.grad());
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        Tensor x = Tensor.of(new double[] {1}, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) y = y.mul(1.0);
        y.sum().backward();
        assertEquals(1, x.grad().item(), 1e-12);
    }

    @Test
    void integerTensorsCannotRequireGrad() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofLongs(new long[] {1}, 1).requiresGrad(true));
    }

    @Test
    void leavesNeverShareGradientStorage() {
        // add hands the same gradient tensor to both inputs: each leaf must still own its gradient
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true), b = Tensor.of(new double[] {3, 4}, 2).requiresGrad(true);
        a.add(b).sum().backward();
        assertTrue(a.grad().storage() != b.grad().storage());
        Functional.assign(a.grad(), a.grad().mul(10));
        assertArrayEquals(new double[] {1, 1}, b.grad().toDoubleArray(), 0);
        // the caller's upstream gradient is never adopted as a leaf's gradient
        Tensor x = Tensor.of(new double[] {5, 6}, 2).requiresGrad(true);
        Tensor up = Tensor.of(new double[] {1, 1}, 2);
        x.reshape(2).backward(up);
        assertTrue(x.grad().storage() != up.storage());
    }
}

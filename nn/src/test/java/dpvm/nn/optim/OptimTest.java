package dpvm.nn.optim;

import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class OptimTest {
    private static Tensor param(double... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    private static void grad(Tensor p, double... g) {
        p.setGrad(Tensor.of(g, g.length));
    }

    @Test
    void closingFreesTheStateAndRefusesFurtherSteps() {
        Tensor p = param(1, 2), q = param(3);
        Adam adam = Adam.of(List.of(p, q), 0.1);
        grad(p, 0.5, -0.5);
        adam.step();
        Map<String, Tensor> state = adam.stateDict();
        assertEquals(3, state.size(), "only the stepped parameter has state");
        adam.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, adam::step);
        assertTrue(e.getMessage().contains("Adam"), e.getMessage());
        Sgd sgd = new Sgd(List.of(p), 0.1, 0.9, 0, 0, false);
        sgd.close();
        assertThrows(IllegalStateException.class, sgd::step);
        assertFalse(p.isClosed(), "parameters stay open");
    }

    @Test
    void adamRefusesBFloat16ParametersNamingTheFix() {
        Tensor p = Tensor.zeros(2, 3).cast(dpvm.tensor.DType.BFLOAT16).requiresGrad(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Adam.of(List.of(p), 0.1));
        assertTrue(e.getMessage().contains("[2, 3] is bfloat16") && e.getMessage().contains("keep float32 parameters"), e.getMessage());
    }

    @Test
    void plainSgdAndWeightDecay() {
        Tensor p = param(1, -2);
        Sgd sgd = new Sgd(List.of(p), 0.1, 0, 0, 0.5, false);
        grad(p, 2, 4);
        sgd.step();
        // d = g + 0.5 p = (2.5, 3); p - 0.1 d
        assertArrayEquals(new double[] {0.75, -2.3}, p.toDoubleArray(), 1e-12);
        assertTrue(p.requiresGrad() && p.isLeaf());
    }

    @Test
    void momentumDampeningAndNesterovByHand() {
        Tensor p = param(1), q = param(1);
        Sgd heavy = new Sgd(List.of(p), 0.1, 0.9, 0.5, 0, false);
        Sgd nest = new Sgd(List.of(q), 0.1, 0.9, 0, 0, true);
        double[] gs = {1, 2, -1};
        double pv = 1, qv = 1, buf = 0, nbuf = 0;
        for (int t = 0; t < gs.length; t++) {
            grad(p, gs[t]);
            grad(q, gs[t]);
            heavy.step();
            nest.step();
            // the first step copies the gradient into the buffer, dampening applies only later
            buf = t == 0 ? gs[t] : 0.9 * buf + 0.5 * gs[t];
            pv -= 0.1 * buf;
            nbuf = t == 0 ? gs[t] : 0.9 * nbuf + gs[t];
            qv -= 0.1 * (gs[t] + 0.9 * nbuf);
            assertEquals(pv, p.item(), 1e-12, "heavy ball step " + t);
            assertEquals(qv, q.item(), 1e-12, "nesterov step " + t);
        }
        assertEquals(buf, heavy.stateDict().get("state.0.momentum_buffer").item(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(p), 0.1, 0.9, 0.1, 0, true));
    }

    @Test
    void sgdStateRoundTrip() {
        Tensor a = param(1, 2), b = param(1, 2);
        Sgd sa = new Sgd(List.of(a), 0.05, 0.9, 0, 0, false), sb = new Sgd(List.of(b), 0.05, 0.9, 0, 0, false);
        grad(a, 1, -1);
        sa.step();
        sb.loadStateDict(sa.stateDict());
        dpvm.tensor.Autograd.noGrad(() -> {
            dpvm.tensor.Functional.assign(b, a);
            return null;
        });
        grad(a, 0.5, 0.5);
        grad(b, 0.5, 0.5);
        sa.step();
        sb.step();
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0);
    }

    @Test
    void adamStepByHandAndStateRoundTrip() {
        Tensor p = param(1.0);
        Adam adam = new Adam(List.of(p), 0.1, 0.9, 0.999, 1e-8, 0, false);
        grad(p, 2);
        adam.step();
        // step 1: m = 0.2, v = 0.004; m_hat = 2, sqrt(v_hat) = 2; p -= 0.1 * 2 / (2 + 1e-8)
        assertEquals(1 - 0.1 * 2 / (2 + 1e-8), p.item(), 1e-12);
        var state = adam.stateDict();
        assertEquals(List.of("state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq"), List.copyOf(state.keySet()));
        assertEquals(1, state.get("state.0.step").item());
        assertEquals(0.2, state.get("state.0.exp_avg").item(), 1e-12);
        assertEquals(0.004, state.get("state.0.exp_avg_sq").item(), 1e-12);

        Tensor q = param(p.item());
        Adam resumed = new Adam(List.of(q), 0.1, 0.9, 0.999, 1e-8, 0, false);
        resumed.loadStateDict(state);
        assertEquals(1, resumed.steps(0));
        for (double g : new double[] {-1, 0.5}) {
            grad(p, g);
            grad(q, g);
            adam.step();
            resumed.step();
        }
        assertEquals(p.item(), q.item(), 0);
        assertEquals(0.2, state.get("state.0.exp_avg").item(), 1e-12, "saved state is a copy");
        resumed.loadStateDict(java.util.Map.of());
        assertEquals(0, resumed.steps(0));
    }

    @Test
    void adamwDecouplesDecay() {
        Tensor p = param(2.0);
        Adam adamw = new Adam(List.of(p), 0.1, 0.9, 0.999, 1e-8, 0.01, true);
        grad(p, 2);
        adamw.step();
        assertEquals(2 * (1 - 0.1 * 0.01) - 0.1 * 2 / (2 + 1e-8), p.item(), 1e-12);
    }

    @Test
    void clipGradNormScalesByTheGlobalNorm() {
        Tensor a = param(0, 0), b = param(0);
        grad(a, 3, 0);
        grad(b, 4);
        double n = GradClip.clipGradNorm(List.of(a, b, param(1)), 1);
        assertEquals(5, n, 1e-12);
        double c = 1 / (5 + 1e-6);
        assertArrayEquals(new double[] {3 * c, 0}, a.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {4 * c}, b.grad().toDoubleArray(), 1e-12);
        // under the limit nothing changes
        assertEquals(1, GradClip.clipGradNorm(List.of(a, b), 10), 1e-5);
        assertArrayEquals(new double[] {4 * c}, b.grad().toDoubleArray(), 1e-12);
        grad(a, -7, 1);
        assertEquals(7, GradClip.clipGradNorm(List.of(a, b), 3.5, Double.POSITIVE_INFINITY), 1e-12);
        assertArrayEquals(new double[] {-7 * 3.5 / (7 + 1e-6), 3.5 / (7 + 1e-6)}, a.grad().toDoubleArray(), 1e-12);
        grad(a, 1, 2);
        grad(b, 3);
        assertEquals(6, GradClip.clipGradNorm(List.of(a, b), 100, 1), 1e-12);
    }

    @Test
    void stepLr() {
        Sgd opt = Sgd.of(List.of(param(0)), 0.1);
        StepLr s = new StepLr(opt, 2, 0.5);
        double[] expect = {0.1, 0.1, 0.05, 0.05, 0.025};
        for (int e = 0; e < expect.length; e++) {
            assertEquals(expect[e], opt.learningRate(), 1e-15, "epoch " + e);
            s.step();
        }
    }

    @Test
    void cosineAnnealingFollowsTheClosedForm() {
        Sgd opt = Sgd.of(List.of(param(0)), 0.1);
        CosineAnnealingLr s = new CosineAnnealingLr(opt, 4, 0.01);
        // T_max 4: 0.1, 0.01 + 0.09(1 + cos(pi/4))/2 = 0.0868198, 0.055, 0.0231802, 0.01, then back up
        double[] byHand = {0.1, 0.08681980515339464, 0.055, 0.023180194846605363, 0.01, 0.023180194846605363};
        for (int e = 0; e <= 9; e++) {
            if (e < byHand.length) assertEquals(byHand[e], opt.learningRate(), 1e-12, "epoch " + e);
            assertEquals(CosineAnnealingLr.closedForm(0.1, 0.01, 4, e), opt.learningRate(), 1e-12, "epoch " + e);
            s.step();
        }
    }

    @Test
    void linearWarmupScalesTheInnerSchedule() {
        Sgd opt = Sgd.of(List.of(param(0)), 1.0);
        LinearWarmup w = new LinearWarmup(new StepLr(opt, 3, 0.1), 2, 0.25);
        double[] expect = {0.25, 0.625, 1.0, 0.1, 0.1, 0.1, 0.01};
        for (int e = 0; e < expect.length; e++) {
            assertEquals(expect[e], opt.learningRate(), 1e-12, "epoch " + e);
            assertEquals(expect[e], w.lastLr(), 1e-12);
            w.step();
        }
    }
}

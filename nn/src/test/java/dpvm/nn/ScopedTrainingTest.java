package dpvm.nn;

import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Linear;
import dpvm.nn.optim.Adam;
import dpvm.nn.optim.GradClip;
import dpvm.nn.optim.Optimizer;
import dpvm.nn.optim.Sgd;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Scope;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Training steps inside Scopes (the engine's recommended loop) must leave module and optimiser state open. */
class ScopedTrainingTest {
    @Test
    void stateSurvivesStepScopes() {
        for (boolean sgd : new boolean[] {true, false}) {
            Sequential net = new Sequential(new Linear(3, 4, true, new Rng(1)), BatchNorm.of1d(4), new Linear(4, 1, true, new Rng(2)));
            Optimizer opt = sgd ? new Sgd(net.parameters(), 0.1, 0.9, 0, 1e-4, false) : Adam.of(net.parameters(), 0.01);
            Rng data = new Rng(3);
            double first = 0, last = 0;
            for (int step = 0; step < 20; step++) {
                try (Scope s = Scope.open()) {
                    Tensor x = data.uniform(new int[] {8, 3}, DType.FLOAT32, Device.CPU);
                    Tensor target = x.sum(1, true);
                    opt.zeroGrad();
                    Tensor d = net.forward(x).sub(target);
                    Tensor loss = d.mul(d).mean();
                    loss.backward();
                    GradClip.clipGradNorm(net.parameters(), 1.0);
                    opt.step();
                    last = loss.item();
                    if (step == 0) first = last;
                }
            }
            assertTrue(last < first, (sgd ? "sgd" : "adam") + ": loss " + first + " -> " + last);
            assertEquals(20, net.stateDict().get("1.num_batches_tracked").toLongArray()[0]);
            for (Tensor t : net.stateDict().values()) assertFalse(t.isClosed());
            for (Tensor t : opt.stateDict().values()) assertFalse(t.isClosed());
            for (Tensor p : net.parameters()) assertFalse(p.grad().isClosed());
        }
    }

    @Test
    void sgdStateDictIsACopy() {
        Tensor p = Tensor.of(new double[] {1}, 1).requiresGrad(true);
        Sgd sgd = new Sgd(List.of(p), 0.1, 0.5, 0, 0, false);
        assertTrue(sgd.stateDict().isEmpty());
        p.setGrad(Tensor.of(new double[] {2}, 1));
        sgd.step();
        Tensor saved = sgd.stateDict().get("state.0.momentum_buffer");
        sgd.step();
        assertEquals(2, saved.item(), 0);
        assertEquals(3, sgd.stateDict().get("state.0.momentum_buffer").item(), 1e-12);
    }
}

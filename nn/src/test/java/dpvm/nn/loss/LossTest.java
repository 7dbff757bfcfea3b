package dpvm.nn.loss;

import dpvm.tensor.Device;
import dpvm.tensor.Tensor;
import dpvm.tensor.check.OpCheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LossTest {
    @Test
    void crossEntropyByHand() {
        // logits (0, ln 3): p = (1/4, 3/4); target 1 gives -ln(3/4)
        Tensor logits = Tensor.of(new double[] {0, Math.log(3), 0, 0}, 2, 2);
        Tensor y = Tensor.ofLongs(new long[] {1, 0}, 2);
        assertEquals((-Math.log(0.75) + Math.log(2)) / 2, new CrossEntropyLoss().apply(logits, y).item(), 1e-12);
        OpCheck.of("cross entropy", x -> new CrossEntropyLoss().apply(x[0], x[1])).input(3, 4).input(Tensor.ofLongs(new long[] {0, 3, 1}, 3)).check(Device.CPU);
    }

    @Test
    void mse() {
        Tensor p = Tensor.of(new double[] {1, 2, 3}, 3), t = Tensor.of(new double[] {1, 0, 0}, 3);
        assertEquals(13 / 3.0, new MseLoss().apply(p, t).item(), 1e-12);
        assertEquals(13, new MseLoss(Reduction.SUM).apply(p, t).item(), 1e-12);
        assertArrayEquals(new double[] {0, 4, 9}, new MseLoss(Reduction.NONE).apply(p, t).toDoubleArray());
        OpCheck.of("mse", x -> new MseLoss().apply(x[0], x[1])).input(2, 3).input(2, 3).check(Device.CPU);
    }

    @Test
    void cosineDistance() {
        Tensor a = Tensor.of(new double[] {1, 0, 1, 1}, 2, 2), b = Tensor.of(new double[] {0, 2, -1, -1}, 2, 2);
        assertArrayEquals(new double[] {1, 2}, Distances.cosine(a, b).toDoubleArray(), 1e-12);
        assertEquals(0, Distances.cosine(a, a).sum().item(), 1e-12);
        OpCheck.of("cosine distance", x -> Distances.cosine(x[0], x[1])).input(3, 5).input(3, 5).check(Device.CPU);
    }

    @Test
    void contrastive() {
        Tensor d = Tensor.of(new double[] {0.5, 0.5, 3}, 3);
        Tensor y = Tensor.of(new double[] {1, 0, 0}, 3);
        // similar: 0.25/2; dissimilar inside the margin 2: (1.5)^2/2; beyond the margin: 0
        assertArrayEquals(new double[] {0.125, 1.125, 0}, new ContrastiveLoss(2, Reduction.NONE).apply(d, y).toDoubleArray(), 1e-12);
        assertEquals(1.25 / 3, new ContrastiveLoss(2).apply(d, y).item(), 1e-12);
        OpCheck.of("contrastive", x -> new ContrastiveLoss(1.5).apply(x[0], x[1], x[2])).input(4, 3).input(4, 3).constant(Tensor.of(new double[] {1, 0, 1, 0}, 4)).check(Device.CPU);
    }

    @Test
    void tripletMargin() {
        Tensor a = Tensor.of(new double[] {0, 0}, 1, 2), p = Tensor.of(new double[] {3, 4}, 1, 2), n = Tensor.of(new double[] {1, 0}, 1, 2);
        double dap = Math.hypot(-3 + 1e-6, -4 + 1e-6), dan = Math.hypot(-1 + 1e-6, 1e-6);
        assertEquals(dap - dan + 1, new TripletMarginLoss(1).apply(a, p, n).item(), 1e-12);
        // swap: d(p, n) = |(2, 4)| is larger than d(a, n), so nothing changes; a far negative clamps to 0
        assertEquals(dap - dan + 1, new TripletMarginLoss(1, 2, 1e-6, true, Reduction.MEAN).apply(a, p, n).item(), 1e-12);
        assertEquals(0, new TripletMarginLoss(1).apply(a, n, p).item(), 1e-12);
        Tensor n2 = Tensor.of(new double[] {3, 5}, 1, 2);
        double dpn = Math.hypot(1e-6, -1 + 1e-6), dan2 = Math.hypot(-3 + 1e-6, -5 + 1e-6);
        assertEquals(Math.max(dap - Math.min(dan2, dpn) + 1, 0), new TripletMarginLoss(1, 2, 1e-6, true, Reduction.MEAN).apply(a, p, n2).item(), 1e-12);
        assertEquals(Math.abs(-3 + 1e-6) + Math.abs(-4 + 1e-6) - (1 - 1e-6) - 1e-6 + 0.5, new TripletMarginLoss(0.5, 1, 1e-6, false, Reduction.SUM).apply(a, p, n).item(), 1e-12);
        OpCheck.of("triplet", x -> new TripletMarginLoss(2).apply(x[0], x[1], x[2])).input(4, 3).input(4, 3).input(4, 3).check(Device.CPU);
    }
}

package dpvm.nn.layers;

import dpvm.nn.Check;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import dpvm.tensor.check.OpCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LinearConvTest {
    @Test
    void linearForwardAndGradients() {
        Linear lin = new Linear(4, 3, true, new Rng(1));
        OpCheck.of("Linear", Check.functional(lin, "weight", "bias")).input(2, 5, 4).input(3, 4).input(3).expectShape(2, 5, 3).check(Device.CPU);
        OpCheck.of("Linear hand", Check.functional(new Linear(2, 1, true, new Rng(1)), "weight", "bias"))
                .input(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2)).input(Tensor.of(new double[] {10, 100}, 1, 2)).input(Tensor.of(new double[] {0.5}, 1))
                .expectValues(210.5, 430.5).check(Device.CPU);
        assertEquals(List.of("weight"), List.copyOf(new Linear(2, 3, false).stateDict().keySet()));
    }

    @Test
    void defaultInitialisationBounds() {
        Linear lin = new Linear(25, 40, true, new Rng(3));
        double bound = 1 / Math.sqrt(25);
        double max = 0;
        for (double v : lin.weight().toDoubleArray()) max = Math.max(max, Math.abs(v));
        assertTrue(max <= bound && max > 0.9 * bound, "weight bound " + max);
        for (double v : lin.bias().toDoubleArray()) assertTrue(Math.abs(v) <= bound);
        Conv3d conv = new Conv3d(4, 8, 3, 1, 1, true, new Rng(3));
        double cb = 1 / Math.sqrt(4 * 27);
        for (double v : conv.weight().toDoubleArray()) assertTrue(Math.abs(v) <= cb);
        for (double v : conv.bias().toDoubleArray()) assertTrue(Math.abs(v) <= cb);
        assertArrayEquals(new Linear(3, 3, true, new Rng(9)).weight().toFloatArray(), new Linear(3, 3, true, new Rng(9)).weight().toFloatArray());
    }

    @Test
    void convolutions() {
        Rng rng = new Rng(2);
        OpCheck.of("Conv1d", Check.functional(new Conv1d(3, 4, new int[] {3}, new int[] {2}, new int[] {1}, true, rng), "weight", "bias"))
                .input(2, 3, 9).input(4, 3, 3).input(4).expectShape(2, 4, 5).check(Device.CPU);
        OpCheck.of("Conv2d grouped", Check.functional(new Conv2d(4, 6, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 2, false, rng), "weight"))
                .input(1, 4, 5, 4).input(6, 2, 3, 3).expectShape(1, 6, 5, 4).check(Device.CPU);
        OpCheck.of("Conv3d", Check.functional(new Conv3d(2, 3, new int[] {3, 3, 3}, new int[] {1, 2, 2}, new int[] {1, 1, 1}, true, rng), "weight", "bias"))
                .input(1, 2, 3, 5, 4).input(3, 2, 3, 3, 3).input(3).expectShape(1, 3, 3, 3, 2).check(Device.CPU);
        Conv2d c = new Conv2d(1, 1, 2, 1, 0, false, rng);
        OpCheck.of("Conv2d hand", Check.functional(c, "weight")).input(Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3))
                .input(Tensor.of(new double[] {1, 0, 0, -1}, 1, 1, 2, 2)).expectValues(-4, -4, -4, -4).check(Device.CPU);
        assertArrayEquals(new int[] {8, 2, 1, 3, 3}, new Conv3d(4, 8, new int[] {1, 3, 3}, new int[] {1, 1, 1}, new int[] {0, 1, 1}, new int[] {1, 1, 1}, 2, false, rng).weight().shape());
    }
}

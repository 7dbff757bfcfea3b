package dpvm.nn.parity;

import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Linear;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ParityWeightsTest {
    @Test
    void phaseByHand() {
        // "ab": 1*97 + 2*98 = 293 -> 2.93
        assertEquals(2.93, ParityWeights.phase("ab"), 1e-15);
        // "weight": 1*119 + 2*101 + 3*105 + 4*103 + 5*104 + 6*116 = 2264; 2264 mod 1009 = 246
        assertEquals(2.46, ParityWeights.phase("weight"), 1e-15);
        assertEquals(0, ParityWeights.phase(""), 0);
    }

    @Test
    void valuesByRule() {
        double p = ParityWeights.phase("fc.weight");
        assertEquals(Math.sin(0.7 * 5 + p) / Math.sqrt(3), ParityWeights.value("fc.weight", new int[] {2, 3}, 5), 1e-15);
        assertEquals(Math.sin(0.7 * 4 + p) / Math.sqrt(12), ParityWeights.value("fc.weight", new int[] {2, 3, 2, 2}, 4), 1e-15);
        double q = ParityWeights.phase("bn1.running_var");
        assertEquals(1 + 0.5 * Math.sin(0.7 + q), ParityWeights.value("bn1.running_var", new int[] {4}, 1), 1e-15);
        double r = ParityWeights.phase("bn1.weight");
        assertEquals(1 + 0.1 * Math.sin(r), ParityWeights.value("bn1.weight", new int[] {4}, 0), 1e-15);
        double s = ParityWeights.phase("bn1.running_mean");
        assertEquals(0.1 * Math.sin(1.4 + s), ParityWeights.value("bn1.running_mean", new int[] {4}, 2), 1e-15);
        assertEquals(0.1 * Math.sin(ParityWeights.phase("cls")), ParityWeights.value("cls", new int[0], 0), 1e-15);
    }

    @Test
    void fillsAModuleInFloat32() {
        Linear lin = new Linear(3, 2, true, new Rng(1));
        ParityWeights.fill(lin);
        float[] w = lin.weight().toFloatArray();
        for (int i = 0; i < 6; i++) assertEquals((float) ParityWeights.value("weight", new int[] {2, 3}, i), w[i]);
        assertEquals((float) (0.1 * Math.sin(0.7 + ParityWeights.phase("bias"))), lin.bias().toFloatArray()[1]);
        BatchNorm bn = BatchNorm.of2d(3);
        ParityWeights.fill(bn);
        assertEquals(0, bn.stateDict().get("num_batches_tracked").toLongArray()[0]);
        for (float v : bn.stateDict().get("running_var").toFloatArray()) assertTrue(v >= 0.5f && v <= 1.5f);
        Tensor t = ParityWeights.tensor("x", new int[] {2});
        assertArrayEquals(new float[] {(float) (0.1 * Math.sin(ParityWeights.phase("x"))), (float) (0.1 * Math.sin(0.7 + ParityWeights.phase("x")))}, t.toFloatArray());
    }
}

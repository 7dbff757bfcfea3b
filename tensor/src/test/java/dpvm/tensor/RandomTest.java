package dpvm.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Philox against its published known-answer vectors, and the statistics and reproducibility of the fills. */
class RandomTest {
    @Test
    void philoxKnownAnswers() {
        // Random123's kat_vectors for philox4x32 with 10 rounds
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, Philox.block(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, Philox.block(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void sameSeedSameNumbersWhateverTheThreadSplit() {
        Tensor a = new Rng(42).uniform(new int[] {1001}, DType.FLOAT32, Device.CPU);
        Tensor b = new Rng(42).uniform(new int[] {1001}, DType.FLOAT32, Device.CPU);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        float[] v = a.toFloatArray();
        for (int i = 0; i < v.length; i += 97) assertEquals(Philox.uniformAt(42, 0, i), v[i]);
        assertNotEquals(v[0], new Rng(43).uniform(new int[] {1}, DType.FLOAT32, Device.CPU).item());
    }

    @Test
    void consecutiveFillsUseFreshCounters() {
        Rng r = new Rng(1);
        float[] first = r.uniform(new int[] {8}, DType.FLOAT32, Device.CPU).toFloatArray();
        float[] second = r.uniform(new int[] {8}, DType.FLOAT32, Device.CPU).toFloatArray();
        assertNotEquals(first[0], second[0]);
        assertEquals(2 + 2, r.offset());
    }

    @Test
    void uniformAndNormalHaveTheRightMoments() {
        int n = 200_000;
        Tensor u = new Rng(7).uniform(new int[] {n}, DType.FLOAT64, Device.CPU);
        assertEquals(0.5, u.mean().item(), 0.005);
        assertEquals(1.0 / 12, Functional.var(u, new int[] {0}, true, false).item(), 0.002);
        assertTrue(u.max().item() < 1 && Ops.reduce(Backend.Reduce.MIN, u, new int[] {0}, false).item() >= 0);
        Tensor z = new Rng(7).normal(new int[] {n}, DType.FLOAT64, Device.CPU);
        assertEquals(0, z.mean().item(), 0.01);
        assertEquals(1, Functional.var(z, new int[] {0}, true, false).item(), 0.01);
        double within1 = z.abs().lt(1).cast(DType.FLOAT64).mean().item();
        assertEquals(0.6827, within1, 0.005);
    }

    @Test
    void initialisersFollowTorchFormulas() {
        Rng r = new Rng(3);
        Tensor w = Init.kaimingUniform(new int[] {256, 128, 3}, Math.sqrt(5), "leaky_relu", true, r);
        double bound = 1 / Math.sqrt(128 * 3); // torch's default Linear/Conv init bound: 1/sqrt(fan_in)
        assertTrue(w.abs().max().item() <= bound + 1e-7);
        assertEquals(bound * bound / 3, Functional.var(w.reshape(-1), new int[] {0}, true, false).item(), bound * bound / 3 * 0.03);
        Tensor x = Init.xavierNormal(new int[] {300, 200}, 1, r);
        assertEquals(2.0 / 500, Functional.var(x.reshape(-1), new int[] {0}, true, false).item(), 2.0 / 500 * 0.03);
        Tensor t = Init.truncatedNormal(new int[] {50_000}, 0, 1, -2, 2, r);
        assertTrue(t.abs().max().item() <= 2);
        // variance of a standard normal truncated to [-2, 2]
        assertEquals(0.7737, Functional.var(t, new int[] {0}, true, false).item(), 0.01);
        assertArrayEquals(new int[] {128 * 3, 256 * 3}, Init.fans(new int[] {256, 128, 3}));
    }
}

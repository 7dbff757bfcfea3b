package dpvm.nn.layers;

import dpvm.nn.Check;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Functional;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import dpvm.tensor.check.OpCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class NormDropoutActTest {
    @Test
    void batchNormTrainingGradientsAndRunningStatistics() {
        OpCheck.of("BatchNorm2d train", Check.functional(BatchNorm.of2d(3), "weight", "bias")).input(4, 3, 2, 2).input(3).input(3).check(Device.CPU);
        OpCheck.of("BatchNorm1d [N,C]", Check.functional(BatchNorm.of1d(2), "weight", "bias")).input(5, 2).input(2).input(2).check(Device.CPU);
        OpCheck.of("BatchNorm3d", Check.functional(BatchNorm.of3d(2), "weight", "bias")).input(2, 2, 2, 2, 3).input(2).input(2).check(Device.CPU);

        BatchNorm bn = BatchNorm.of1d(1);
        // channel values 1, 2, 3, 6: mean 3, biased var 3.5, unbiased 14/3
        Tensor y = bn.forward(Tensor.of(new float[] {1, 2, 3, 6}, 4, 1));
        double s = Math.sqrt(3.5 + 1e-5);
        assertArrayEquals(new double[] {-2 / s, -1 / s, 0, 3 / s}, y.toDoubleArray(), 1e-6);
        assertEquals(0.3, bn.stateDict().get("running_mean").item(), 1e-7);
        assertEquals(0.9 + 0.1 * 14 / 3.0, bn.stateDict().get("running_var").item(), 1e-6);
        assertEquals(1, bn.stateDict().get("num_batches_tracked").toLongArray()[0]);

        bn.eval();
        Tensor e = bn.forward(Tensor.of(new float[] {1.3f, 0.3f}, 2, 1));
        double rv = 0.9 + 0.1 * 14 / 3.0;
        assertArrayEquals(new double[] {1 / Math.sqrt(rv + 1e-5), 0}, e.toDoubleArray(), 1e-6);
        assertEquals(1, bn.stateDict().get("num_batches_tracked").toLongArray()[0], "eval leaves the counter");
    }

    @Test
    void batchNormEvalGradientsAndCumulativeMomentum() {
        BatchNorm bn = BatchNorm.of2d(2);
        bn.loadStateDict(java.util.Map.of("running_mean", Tensor.of(new float[] {0.5f, -1}, 2), "running_var", Tensor.of(new float[] {2, 0.25f}, 2)), false);
        bn.eval();
        OpCheck.of("BatchNorm2d eval", Check.functional(bn, "weight", "bias")).input(2, 2, 3, 3).input(2).input(2).check(Device.CPU);

        BatchNorm cum = new BatchNorm(1, 1, 1e-5, null, true, true);
        cum.forward(Tensor.of(new float[] {0, 2}, 2, 1));
        cum.forward(Tensor.of(new float[] {4, 6}, 2, 1));
        // momentum None averages the batch means 1 and 5
        assertEquals(3, cum.stateDict().get("running_mean").item(), 1e-6);
        assertEquals(2, cum.stateDict().get("running_var").item(), 1e-6);
    }

    @Test
    void layerNorm() {
        OpCheck.of("LayerNorm", Check.functional(new LayerNorm(4, 1e-6), "weight", "bias")).input(2, 3, 4).input(4).input(4).check(Device.CPU);
        OpCheck.of("LayerNorm 2 dims", Check.functional(new LayerNorm(new int[] {2, 3}, 1e-5, true), "weight", "bias")).input(2, 2, 3).input(2, 3).input(2, 3).check(Device.CPU);
        Tensor y = new LayerNorm(2).forward(Tensor.of(new float[] {1, 3}, 1, 2));
        assertArrayEquals(new double[] {-1 / Math.sqrt(1 + 1e-5), 1 / Math.sqrt(1 + 1e-5)}, y.toDoubleArray(), 1e-6);
    }

    @Test
    void dropout() {
        Dropout d = new Dropout(0.25, new Rng(4));
        Tensor x = Tensor.ones(100, 100);
        double[] y = d.forward(x).toDoubleArray();
        int zeros = 0;
        for (double v : y) {
            if (v == 0) zeros++;
            else assertEquals(1 / 0.75, v, 1e-6);
        }
        assertEquals(2500, zeros, 200);
        d.eval();
        assertSame(x, d.forward(x));
    }

    @Test
    void activationsByHand() {
        Tensor x = Tensor.of(new double[] {-1, 0, 1}, 3);
        assertArrayEquals(new double[] {0, 0, 1}, Activation.relu().forward(x).toDoubleArray());
        assertArrayEquals(new double[] {-0.15865525393145707, 0, 0.8413447460685429}, Activation.gelu().forward(x).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {-0.15880800939172324, 0, 0.8411919906082768}, Activation.geluTanh().forward(x).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {-0.2689414213699951, 0, 0.7310585786300049}, Activation.silu().forward(x).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0.2689414213699951, 0.5, 0.7310585786300049}, Activation.sigmoid().forward(x).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {Math.tanh(-1), 0, Math.tanh(1)}, Activation.tanh().forward(x).toDoubleArray(), 1e-12);
        assertEquals(Activation.Kind.GELU_TANH, Activation.Kind.parse("gelu_fast"));
        for (Activation.Kind k : Activation.Kind.values()) {
            OpCheck.of(k.name(), Check.functional(new Activation(k))).input(2, 3).check(Device.CPU);
            assertTrue(new Activation(k).stateDict().isEmpty());
        }
    }

    @Test
    void pools() {
        OpCheck.of("MaxPool2d", Check.functional(MaxPool.of2d(3, 2, 1))).input(1, 2, 7, 7).expectShape(1, 2, 4, 4).check(Device.CPU);
        OpCheck.of("MaxPool3d", Check.functional(MaxPool.of3d(3, 2, 1))).input(1, 2, 4, 5, 5).expectShape(1, 2, 2, 3, 3).check(Device.CPU);
        OpCheck.of("AvgPool2d", Check.functional(AvgPool.of2d(2, 2, 0))).input(Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1, 1, 4, 4))
                .expectValues(3.5, 5.5, 11.5, 13.5).check(Device.CPU);
        OpCheck.of("AvgPool3d", Check.functional(AvgPool.of3d(new int[] {1, 2, 2}, new int[] {1, 1, 1}))).input(1, 2, 2, 3, 3).expectShape(1, 2, 2, 2, 2).check(Device.CPU);
        OpCheck.of("AdaptiveAvgPool2d", Check.functional(new AdaptiveAvgPool(1, 1))).input(Tensor.of(new double[] {1, 2, 3, 6}, 1, 1, 2, 2)).expectValues(3).check(Device.CPU);
        OpCheck.of("AdaptiveAvgPool3d", Check.functional(new AdaptiveAvgPool(1, 2, 2))).input(2, 3, 3, 5, 4).expectShape(2, 3, 1, 2, 2).check(Device.CPU);
    }

    @Test
    void embeddings() {
        Embedding emb = new Embedding(5, 2, new Rng(1));
        Tensor w = emb.stateDict().get("weight");
        Tensor idx = Tensor.ofLongs(new long[] {4, 0, 4}, 3);
        Tensor y = emb.forward(idx);
        float[] wv = w.toFloatArray();
        assertArrayEquals(new float[] {wv[8], wv[9], wv[0], wv[1], wv[8], wv[9]}, y.toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 0, 0, 2, 2}, w.grad().toFloatArray());

        PositionEmbedding pos = new PositionEmbedding("position_embeddings", 4, 3, 0.02, new Rng(1));
        assertEquals(List.of("position_embeddings"), List.copyOf(pos.stateDict().keySet()));
        OpCheck.of("PositionEmbedding", Check.functional(pos, "position_embeddings")).input(2, 4, 3).input(1, 4, 3).check(Device.CPU);
        OpCheck.of("PositionEmbedding shorter", Check.functional(pos, "position_embeddings")).input(2, 2, 3).input(1, 4, 3).check(Device.CPU);
        Tensor z = Functional.embedding(w.detach(), Tensor.ofInts(new int[] {1}, 1));
        assertEquals(DType.FLOAT32, z.dtype());
    }
}

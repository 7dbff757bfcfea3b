package dpvm.tensor;

import dpvm.tensor.cpu.Parallel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A whole forward and backward pass gives bit-identical results on one thread and on the full pool. */
class ThreadIndependenceTest {
    private static float[][] step() {
        Rng rng = new Rng(11);
        Tensor x = rng.normal(new int[] {4, 3, 6, 20, 20}, DType.FLOAT32, Device.CPU);
        Tensor w = rng.normal(new int[] {8, 3, 3, 3, 3}, DType.FLOAT32, Device.CPU).mul(0.1).requiresGrad(true);
        Tensor fc = rng.normal(new int[] {5, 8}, DType.FLOAT32, Device.CPU).mul(0.1).requiresGrad(true);
        Tensor h = Functional.conv3d(x, w, null, new int[] {1, 2, 2}, new int[] {1, 1, 1}, new int[] {1, 1, 1}, 1).relu();
        h = Functional.adaptiveAvgPool(h, 1, 1, 1).flatten(1, -1);
        Tensor logits = Functional.linear(Functional.layerNorm(h, 1, null, null, 1e-5), fc, null);
        Tensor loss = Functional.crossEntropy(logits, Tensor.ofLongs(new long[] {0, 4, 2, 1}, 4), null, 0.1)
                .add(rng.normal(new int[] {300_000}, DType.FLOAT32, Device.CPU).softmax(0).sum());
        loss.backward();
        return new float[][] {loss.toFloatArray(), w.grad().toFloatArray(), fc.grad().toFloatArray()};
    }

    /** Layer norm forward and backward over enough rows that the weight and bias gradients are summed in blocks. */
    private static float[][] layerNormStep() {
        Rng rng = new Rng(12);
        Tensor x = rng.normal(new int[] {300, 257}, DType.FLOAT32, Device.CPU).add(3).requiresGrad(true);
        Tensor w = rng.normal(new int[] {257}, DType.FLOAT32, Device.CPU).requiresGrad(true);
        Tensor b = rng.normal(new int[] {257}, DType.FLOAT32, Device.CPU).requiresGrad(true);
        Tensor y = Functional.layerNorm(x, 1, w, b, 1e-5);
        y.mul(rng.normal(new int[] {300, 257}, DType.FLOAT32, Device.CPU)).sum().backward();
        return new float[][] {y.toFloatArray(), x.grad().toFloatArray(), w.grad().toFloatArray(), b.grad().toFloatArray()};
    }

    @Test
    void layerNormDoesNotDependOnTheThreadCount() {
        float[][] parallel = layerNormStep();
        float[][] serial = Parallel.serially(ThreadIndependenceTest::layerNormStep);
        for (int i = 0; i < parallel.length; i++) assertArrayEquals(parallel[i], serial[i], "output " + i);
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        assertTrue(Parallel.threads() >= 1);
        float[][] parallel = step();
        float[][] serial = Parallel.serially(ThreadIndependenceTest::step);
        for (int i = 0; i < parallel.length; i++) assertArrayEquals(parallel[i], serial[i], "output " + i);
    }
}

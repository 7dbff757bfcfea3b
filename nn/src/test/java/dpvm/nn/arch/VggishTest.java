package dpvm.nn.arch;

import dpvm.nn.layers.Inits;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class VggishTest {
    @Test
    void keysAndCount() {
        Vggish v = Inits.shapesOnly(() -> Vggish.torchvggish(new Rng(0)));
        assertEquals(72_141_184L, v.parameterCount());
        List<String> keys = List.copyOf(v.stateDict().keySet());
        assertEquals(List.of("features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias", "features.6.weight", "features.6.bias", "features.8.weight",
                "features.8.bias", "features.11.weight", "features.11.bias", "features.13.weight", "features.13.bias", "embeddings.0.weight", "embeddings.0.bias",
                "embeddings.2.weight", "embeddings.2.bias", "embeddings.4.weight", "embeddings.4.bias"), keys);
        Map<String, Tensor> sd = v.stateDict();
        assertArrayEquals(new int[] {4096, 12288}, sd.get("embeddings.0.weight").shape());
        Vggish ta = Inits.shapesOnly(() -> new Vggish(Vggish.Keys.TORCHAUDIO, true, true, VggishPostprocessor.Rounding.TRUNCATE, new Rng(0)));
        assertTrue(ta.stateDict().containsKey("features_network.13.weight"));
        assertTrue(ta.stateDict().containsKey("embedding_network.4.bias"));
        assertArrayEquals(new int[] {128, 1}, ta.stateDict().get("pproc.pca_means").shape());
        assertEquals(72_141_184L, ta.parameterCount(), "PCA tensors are buffers");
    }

    @Test
    void forwardShapeAndFinalRelu() {
        Vggish v = new Vggish(Vggish.Keys.TORCHVGGISH, false, false, VggishPostprocessor.Rounding.HALF_EVEN, new Rng(1));
        Tensor x = new Rng(2).uniform(new int[] {1, 1, 96, 64}, DType.FLOAT32, Device.CPU);
        Tensor e = v.forward(x);
        assertArrayEquals(new int[] {1, 128}, e.shape());
        boolean negative = false;
        for (float f : e.toFloatArray()) negative |= f < 0;
        assertTrue(negative, "without the final ReLU some outputs are negative");
    }

    @Test
    void flattenIsChannelsLast() {
        // one nonzero in channel 1 of position (h=0, w=1): NHWC index (0*4 + 1)*512 + 1 = 513
        float[] v = new float[512 * 24];
        v[1 * 24 + 1] = 1;
        Tensor t = Tensor.of(v, 1, 512, 6, 4);
        float[] flat = t.permute(0, 2, 3, 1).flatten(1, -1).toFloatArray();
        assertEquals(1, flat[513]);
    }

    @Test
    void postprocessorByHand() {
        VggishPostprocessor p = new VggishPostprocessor(VggishPostprocessor.Rounding.HALF_EVEN);
        float[] eye = new float[128 * 128];
        for (int i = 0; i < 128; i++) eye[i * 129] = 1;
        float[] mu = new float[128];
        mu[0] = 1;
        p.loadStateDict(Map.of("pca_eigen_vectors", Tensor.of(eye, 128, 128), "pca_means", Tensor.of(mu, 128, 1)), true);
        float[] x = new float[128];
        x[0] = 1; // minus mean 1 -> 0 -> 127.5 -> 128 (half to even)
        x[1] = 5; // clipped to 2 -> 255
        x[2] = -0.5f; // 1.5 * 63.75 = 95.625 -> 96
        Tensor y = p.forward(Tensor.of(x, 1, 128).cast(DType.FLOAT64));
        double[] out = y.toDoubleArray();
        assertEquals(128, out[0]);
        assertEquals(255, out[1]);
        assertEquals(96, out[2]);
        assertEquals(128, out[4], "0 maps to 127.5, which rounds half to even");
        VggishPostprocessor tf = new VggishPostprocessor(VggishPostprocessor.Rounding.TRUNCATE);
        tf.loadStateDict(p.stateDict(), true);
        double[] t = tf.forward(Tensor.of(x, 1, 128).cast(DType.FLOAT64)).toDoubleArray();
        assertEquals(127, t[4]);
        assertEquals(95, t[2]);
    }
}

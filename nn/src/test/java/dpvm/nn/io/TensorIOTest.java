package dpvm.nn.io;

import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Engine tensors through weight files and back, and a real torch.save file into engine tensors. */
class TensorIOTest {
    @Test
    void safetensorsRoundTripKeepsValuesShapesAndOrder(@TempDir Path dir) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("layer.weight", Tensor.of(new float[] {1.5f, -2, 3, 4, 5, 6}, 2, 3));
        in.put("layer.bias", Tensor.of(new double[] {0.25, -0.5}, 2));
        in.put("steps", Tensor.ofLongs(new long[] {7}, 1));
        in.put("index", Tensor.ofInts(new int[] {3, 1}, 2));
        Path file = dir.resolve("w.safetensors");
        TensorIO.save(file, in, Map.of("epoch", "3"));
        Map<String, Tensor> out = TensorIO.load(file);
        assertEquals(in.keySet().stream().toList(), out.keySet().stream().toList());
        for (String k : in.keySet()) {
            assertArrayEquals(in.get(k).shape(), out.get(k).shape(), k);
            assertEquals(in.get(k).dtype(), out.get(k).dtype(), k);
            assertArrayEquals(in.get(k).toDoubleArray(), out.get(k).toDoubleArray(), 0, k);
        }
    }

    @Test
    void bfloat16TensorsAreStoredAsBF16AndLoadExactlyAsFloat32(@TempDir Path dir) {
        float[] values = {1.5f, -0.3339844f, 65280f, 1e-3f};
        Tensor h = Tensor.of(values, 2, 2).cast(dpvm.tensor.DType.BFLOAT16);
        Path file = dir.resolve("h.safetensors");
        TensorIO.save(file, Map.of("w", h), Map.of());
        try (WeightFile f = WeightFiles.open(file)) {
            StoredTensor stored = f.get("w");
            assertEquals(StoredDType.BF16, stored.dtype());
            assertEquals(8, stored.data().remaining());
        }
        Tensor back = TensorIO.load(file).get("w");
        assertEquals(dpvm.tensor.DType.FLOAT32, back.dtype());
        assertArrayEquals(h.toFloatArray(), back.toFloatArray(), 0);
        assertArrayEquals(h.toBFloat16Array(), back.toBFloat16Array());
    }

    @Test
    void aRealTorchStateDictLoadsAsTensors() throws URISyntaxException {
        Path file = Path.of(getClass().getResource("torch/state_dict.pth").toURI());
        Map<String, Tensor> sd = TensorIO.load(file);
        // nn.Sequential(Conv2d(1, 2, 2), BatchNorm2d(2), Flatten(), Linear(2, 3)), float entry i = arange + 100 i
        assertEquals(java.util.List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "3.weight", "3.bias"), java.util.List.copyOf(sd.keySet()));
        assertArrayEquals(new int[] {2, 1, 2, 2}, sd.get("0.weight").shape());
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 6, 7}, sd.get("0.weight").toDoubleArray(), 0);
        assertArrayEquals(new double[] {100, 101}, sd.get("0.bias").toDoubleArray(), 0);
        assertEquals(dpvm.tensor.DType.INT64, sd.get("1.num_batches_tracked").dtype());
        assertEquals(7, sd.get("1.num_batches_tracked").item());
        assertArrayEquals(new int[] {3, 2}, sd.get("3.weight").shape());
    }
}

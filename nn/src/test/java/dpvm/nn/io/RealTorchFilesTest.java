package dpvm.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Files written by a real {@code torch.save} (PyTorch 1.13, see make_fixtures.py beside them),
 * so the reader is checked against torch itself and not only against our own test writer.
 */
class RealTorchFilesTest {

    private static Path resource(String name) {
        try {
            return Path.of(RealTorchFilesTest.class.getResource("torch/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void modelStateDict() {
        try (TorchCheckpoint c = TorchCheckpoint.open(resource("state_dict.pth"))) {
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                    "1.num_batches_tracked", "3.weight", "3.bias"), List.copyOf(c.names()));
            StoredTensor w = c.get("0.weight");
            assertArrayEquals(new long[] {2, 1, 2, 2}, w.shape());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, w.toFloatArray());
            assertArrayEquals(new float[] {700, 701, 702, 703, 704, 705}, c.get("3.weight").toFloatArray());
            StoredTensor n = c.get("1.num_batches_tracked");
            assertEquals(StoredDType.I64, n.dtype());
            assertEquals(0, n.rank());
            assertArrayEquals(new long[] {7}, n.toLongArray());
        }
    }

    @Test
    void trainingCheckpointWithDataParallelKeysAndOptimizerState() {
        try (TorchCheckpoint c = TorchCheckpoint.open(resource("checkpoint.pth.tar"))) {
            assertEquals("state_dict", c.selectedKey());
            assertEquals("12", c.metadata().get("checkpoint.epoch"));
            assertEquals("tiny", c.metadata().get("checkpoint.arch"));
            try (WeightFile w = KeyMapping.builder().stripPrefix("module.").build().view(c)) {
                // Saved after one SGD step (lr 0.1, gradient 2 per bias) and one training-mode forward.
                assertArrayEquals(new float[] {799.8f, 800.8f, 801.8f}, w.get("3.bias").toFloatArray(), 1e-4f);
                assertArrayEquals(new long[] {8}, w.get("1.num_batches_tracked").toLongArray());
                assertEquals(9, w.names().size(), "optimizer momentum buffers are not part of the state dict");
            }
        }
    }

    @Test
    void viewsWithStridesOffsetsSharingAndParameters() {
        try (TorchCheckpoint c = TorchCheckpoint.open(resource("views.pth"))) {
            StoredTensor t = c.get("transposed");
            assertArrayEquals(new long[] {6, 4}, t.shape());
            float[] expected = new float[24];
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 4; j++) {
                    expected[i * 4 + j] = j * 6 + i;
                }
            }
            assertArrayEquals(expected, t.toFloatArray());
            assertArrayEquals(new float[] {8, 9, 10, 14, 15, 16}, c.get("sliced").toFloatArray());
            assertEquals(10, c.get("shared_a").numel());
            assertEquals(10f, c.get("shared_b").toFloatArray()[0]);
            assertEquals(23f, c.get("shared_b").toFloatArray()[13]);
            assertArrayEquals(new float[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}, c.get("expanded").toFloatArray());
            assertArrayEquals(new float[] {2.5f}, c.get("scalar").toFloatArray());
            assertArrayEquals(new float[] {0, 1, 2, 3}, c.get("param").toFloatArray());
        }
    }

    @Test
    void everyDtype() {
        try (TorchCheckpoint c = TorchCheckpoint.open(resource("dtypes.pth"))) {
            String[] names = {"f64", "f32", "f16", "bf16", "i64", "i32", "i16", "i8"};
            StoredDType[] types = {StoredDType.F64, StoredDType.F32, StoredDType.F16, StoredDType.BF16,
                StoredDType.I64, StoredDType.I32, StoredDType.I16, StoredDType.I8};
            for (int i = 0; i < names.length; i++) {
                StoredTensor t = c.get(names[i]);
                assertEquals(types[i], t.dtype(), names[i]);
                assertArrayEquals(new long[] {2, 3}, t.shape());
                assertArrayEquals(new double[] {-2, -1, 0, 1, 2, 3}, t.toDoubleArray(), names[i]);
            }
            assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5}, c.get("u8").toLongArray());
            assertEquals(StoredDType.BOOL, c.get("bool").dtype());
            assertArrayEquals(new long[] {1, 0, 1, 0, 0, 1}, c.get("bool").toLongArray());
        }
    }

    @Test
    void pickledModuleIsRefusedNamingTheClass() {
        Path f = resource("full_model.pth");
        UnsafeWeightFileException e = assertThrows(UnsafeWeightFileException.class, () -> TorchCheckpoint.open(f));
        assertTrue(e.getMessage().contains("torch.nn.modules.container.Sequential"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void legacyFormatIsDetected() {
        WeightFileException e = assertThrows(WeightFileException.class,
                () -> TorchCheckpoint.open(resource("legacy.pth")));
        assertTrue(e.getMessage().contains("legacy non-zip torch.save format"), e.getMessage());
    }
}

package dpvm.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyMappingTest {

    @TempDir
    Path dir;

    @Test
    void stripsDataParallelPrefixAndDropsBatchCounters() {
        KeyMapping m = KeyMapping.builder().stripPrefix("module.").dropNumBatchesTracked().build();
        KeyMapping.Result r = m.apply(List.of("module.conv.weight", "module.bn.num_batches_tracked", "fc.bias"));
        assertEquals(List.of("conv.weight", "fc.bias"), List.copyOf(r.newToOld().keySet()));
        assertEquals("module.conv.weight", r.newToOld().get("conv.weight"));
        assertEquals(List.of("bn.num_batches_tracked"), r.dropped());
        assertEquals(3, r.changes().size(), "two strips and one drop");
        assertTrue(r.report().contains("module.conv.weight -> conv.weight (strip prefix module.)"), r.report());
        assertTrue(r.report().startsWith("2 keys kept, 1 dropped"), r.report());
    }

    @Test
    void stripsAndAddsHuggingFacePrefixesAndRenamesByRegex() {
        KeyMapping m = KeyMapping.builder()
                .stripPrefix("vivit.")
                .rename("^encoder\\.layer\\.(\\d+)\\.", "blocks.$1.")
                .rename("\\.gamma$", ".weight")
                .addPrefix("video.")
                .build();
        assertEquals("video.blocks.11.norm.weight", m.map("vivit.encoder.layer.11.norm.gamma"));
        assertEquals("video.classifier.bias", m.map("classifier.bias"));
        assertEquals("video.num_batches_tracked", m.map("num_batches_tracked"), "tolerated unless dropped");
    }

    @Test
    void dropByRegexAndIdentity() {
        KeyMapping m = KeyMapping.builder().drop("^optimizer\\.").build();
        assertNull(m.map("optimizer.lr"));
        assertEquals("a", m.map("a"));
        assertEquals("x.y", KeyMapping.identity().map("x.y"));
        assertTrue(KeyMapping.isNumBatchesTracked("layer1.0.bn1.num_batches_tracked"));
        assertFalse(KeyMapping.isNumBatchesTracked("layer1.0.bn1.not_num_batches_tracked"));
    }

    @Test
    void collisionsAreReported() {
        KeyMapping m = KeyMapping.builder().stripPrefix("module.").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.apply(List.of("module.w", "w")));
        assertTrue(e.getMessage().contains("module.w") && e.getMessage().contains("\"w\""), e.getMessage());
    }

    @Test
    void viewRenamesTensorsOfACheckpoint() throws IOException {
        Path f = dir.resolve("ckpt.pth");
        Files.write(f, TorchFixtures.checkpointFile());
        KeyMapping m = KeyMapping.builder().stripPrefix("module.").dropNumBatchesTracked().build();
        try (WeightFile w = m.view(TorchCheckpoint.open(f))) {
            assertEquals(List.of("conv.weight", "transposed", "shared.a", "shared.b", "head.bias"), List.copyOf(w.names()));
            StoredTensor t = w.get("transposed");
            assertEquals("transposed", t.name());
            assertArrayEquals(new float[] {11, 14, 12, 15, 13, 16}, t.toFloatArray());
            assertEquals("90", w.metadata().get("checkpoint.epoch"));
            WeightFileException e = assertThrows(WeightFileException.class, () -> w.get("module.transposed"));
            assertTrue(e.getMessage().contains("module.transposed"), e.getMessage());
        }
    }

    @Test
    void viewOfSafetensorsWithAddedPrefix() {
        Path f = dir.resolve("m.safetensors");
        Map<String, StoredTensor> in = new LinkedHashMap<>();
        in.put("w", StoredTensor.ofFloats("w", new long[] {2}, new float[] {3, 4}));
        SafeTensors.write(f, in, Map.of());
        try (WeightFile w = KeyMapping.builder().addPrefix("vivit.").build().view(SafeTensors.open(f))) {
            assertEquals(List.of("vivit.w"), List.copyOf(w.names()));
            assertArrayEquals(new float[] {3, 4}, w.get("vivit.w").toFloatArray());
        }
    }
}

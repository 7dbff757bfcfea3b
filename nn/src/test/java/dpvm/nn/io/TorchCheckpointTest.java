package dpvm.nn.io;

import static dpvm.nn.io.TorchFixtures.dims;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dpvm.nn.io.TorchPickleWriter.OrderedDict;
import dpvm.nn.io.TorchPickleWriter.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchCheckpointTest {

    @TempDir
    Path dir;

    private Path file(String name, byte[] content) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        return f;
    }

    @Test
    void readsAStateDictWithStridedAndSharedTensors() throws IOException {
        try (TorchCheckpoint c = TorchCheckpoint.open(file("sd.pth", TorchFixtures.stateDictFile()))) {
            assertNull(c.selectedKey());
            assertEquals(List.of("conv.weight", "transposed", "shared.a", "shared.b", "bn.num_batches_tracked",
                    "head.bias"), List.copyOf(c.names()));

            StoredTensor w = c.get("conv.weight");
            assertEquals(StoredDType.F32, w.dtype());
            assertArrayEquals(dims(2, 3), w.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.toFloatArray());

            // Storage 10..16, offset 1, strides (1, 3): element (i, j) = storage[1 + i + 3j].
            StoredTensor t = c.get("transposed");
            assertArrayEquals(dims(3, 2), t.shape());
            assertArrayEquals(new float[] {11, 14, 12, 15, 13, 16}, t.toFloatArray());
            assertEquals(24, t.data().remaining(), "materialised bytes are exactly numel * 4");

            assertArrayEquals(new long[] {7, 8}, c.get("shared.a").toLongArray());
            assertArrayEquals(new long[] {9, 10}, c.get("shared.b").toLongArray());

            StoredTensor scalar = c.get("bn.num_batches_tracked");
            assertEquals(0, scalar.rank());
            assertArrayEquals(new long[] {42}, scalar.toLongArray());

            StoredTensor param = c.get("head.bias");
            assertEquals(StoredDType.F64, param.dtype());
            assertArrayEquals(new double[] {0.5, -0.25}, param.toDoubleArray());

            assertEquals("pytorch-zip", c.metadata().get("format"));
            assertEquals("3", c.metadata().get("version"));
            assertEquals("little", c.metadata().get("byteorder"));
        }
    }

    @Test
    void picksStateDictOutOfATrainingCheckpointAndIgnoresTheRest() throws IOException {
        try (TorchCheckpoint c = TorchCheckpoint.open(file("ckpt.pth.tar", TorchFixtures.checkpointFile()))) {
            assertEquals("state_dict", c.selectedKey());
            assertEquals(List.of("epoch", "arch", "best_acc", "state_dict", "optimizer", "ema"),
                    List.copyOf(c.topLevelKeys()));
            assertTrue(c.names().contains("module.conv.weight"));
            assertEquals(6, c.names().size());
            assertArrayEquals(new float[] {11, 14, 12, 15, 13, 16}, c.get("module.transposed").toFloatArray());
            assertEquals("90", c.metadata().get("checkpoint.epoch"));
            assertEquals("vivit", c.metadata().get("checkpoint.arch"));
            assertEquals("0.75", c.metadata().get("checkpoint.best_acc"));

            WeightFile ema = c.stateDict("ema");
            assertEquals(List.of("w"), List.copyOf(ema.names()));
            assertArrayEquals(new long[] {42}, ema.get("w").toLongArray());
            assertTrue(c.stateDict("optimizer").names().isEmpty(), "optimizer holds no top-level tensors");

            WeightFileException e = assertThrows(WeightFileException.class, () -> c.stateDict("epoch"));
            assertTrue(e.getMessage().contains("epoch"), e.getMessage());
            assertThrows(WeightFileException.class, () -> c.stateDict("missing"));
        }
    }

    @Test
    void everyStorageTypeRoundTrips() throws IOException {
        Map<String, Object> sd = new LinkedHashMap<>();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        int k = 0;
        for (StoredDType d : StoredDType.values()) {
            byte[] raw = new byte[4 * d.byteSize()];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) (k * 17 + i * 3 + 1);
            }
            if (d == StoredDType.BOOL) {
                raw = new byte[] {1, 0, 0, 1};
            }
            storages.put(String.valueOf(k), raw);
            sd.put("t" + d, new Tensor(String.valueOf(k), d, 4, 0, dims(2, 2), dims(2, 1), false));
            k++;
        }
        byte[] zip = TorchZipBuilder.standard(TorchPickleWriter.pickle(new OrderedDict(sd, true)), storages).build();
        try (TorchCheckpoint c = TorchCheckpoint.open(file("all.pt", zip))) {
            k = 0;
            for (StoredDType d : StoredDType.values()) {
                StoredTensor t = c.get("t" + d);
                assertEquals(d, t.dtype());
                assertArrayEquals(storages.get(String.valueOf(k)), t.toByteArray(), d.toString());
                k++;
            }
            assertArrayEquals(new float[] {1, 0, 0, 1}, c.get("tBOOL").toFloatArray());
        }
    }

    @Test
    void storagesAreReadOnlyWhenAskedFor() throws IOException {
        // Storage 4 is missing from the archive: opening still works, only that tensor fails.
        Map<String, byte[]> storages = TorchFixtures.storages();
        storages.remove("4");
        byte[] pkl = TorchPickleWriter.pickle(new OrderedDict(TorchFixtures.tensors(""), true));
        Path f = file("lazy.pth", TorchZipBuilder.standard(pkl, storages).build());
        try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.get("conv.weight").toFloatArray());
            WeightFileException e = assertThrows(WeightFileException.class, () -> c.get("head.bias"));
            assertTrue(e.getMessage().contains("archive/data/4") && e.getMessage().contains("missing"), e.getMessage());
        }
    }

    @Test
    void worksWithDeflatedEntriesAndOtherArchiveNames() throws IOException {
        byte[] pkl = TorchPickleWriter.pickle(new OrderedDict(TorchFixtures.tensors(""), false));
        TorchZipBuilder b = new TorchZipBuilder("resnet_best");
        b.entry("data.pkl", pkl).deflated("data.pkl");
        TorchFixtures.storages().forEach((key, v) -> b.entry("data/" + key, v).deflated("data/" + key));
        try (TorchCheckpoint c = TorchCheckpoint.open(file("old.pth", b.build()))) {
            assertEquals("resnet_best", c.metadata().get("archive"));
            assertArrayEquals(new float[] {11, 14, 12, 15, 13, 16}, c.get("transposed").toFloatArray());
        }
    }

    @Test
    void modelKeyIsPickedWhenThereIsNoStateDict() throws IOException {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("epoch", 3);
        top.put("model", TorchFixtures.tensors(""));
        byte[] zip = TorchZipBuilder.standard(TorchPickleWriter.pickle(top), TorchFixtures.storages()).build();
        try (TorchCheckpoint c = TorchCheckpoint.open(file("deit.pth", zip))) {
            assertEquals("model", c.selectedKey());
            assertEquals("model", c.metadata().get("state_dict_key"));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.get("conv.weight").toFloatArray());
        }
    }

    @Test
    void tensorWithPythonAttributesLoadsThroughRebuildFromType() throws IOException {
        Tensor t = new Tensor("1", StoredDType.F32, 7, 1, dims(3, 2), dims(1, 3), false);
        Map<String, Object> sd = Map.of("w", new TorchPickleWriter.TypedTensor(t, "torch", "Tensor", Map.of("tag", "x")));
        byte[] zip = TorchZipBuilder.standard(TorchPickleWriter.pickle(new OrderedDict(sd, true)),
                TorchFixtures.storages()).build();
        try (TorchCheckpoint c = TorchCheckpoint.open(file("typed.pth", zip))) {
            assertArrayEquals(new float[] {11, 14, 12, 15, 13, 16}, c.get("w").toFloatArray());
        }
        Map<String, Object> subclass = Map.of("w", new TorchPickleWriter.TypedTensor(t, "mylib", "EvilTensor", Map.of()));
        byte[] evil = TorchZipBuilder.standard(TorchPickleWriter.pickle(new OrderedDict(subclass, true)),
                TorchFixtures.storages()).build();
        UnsafeWeightFileException e = assertThrows(UnsafeWeightFileException.class,
                () -> TorchCheckpoint.open(file("evil.pth", evil)));
        assertTrue(e.getMessage().contains("mylib.EvilTensor"), e.getMessage());
    }

    @Test
    void weightFilesTellsTheFormatsApartByContent() throws IOException {
        Path pth = file("weights.bin", TorchFixtures.stateDictFile());
        Path st = dir.resolve("weights.pth");
        SafeTensors.write(st, Map.of("x", StoredTensor.ofFloats("x", dims(1), new float[] {9})), Map.of());
        try (WeightFile a = WeightFiles.open(pth); WeightFile b = WeightFiles.open(st)) {
            assertTrue(a instanceof TorchCheckpoint);
            assertEquals(6, a.names().size());
            assertArrayEquals(new float[] {9}, b.get("x").toFloatArray());
        }
    }

    @Test
    void wholeStorageTensorsAreNotCopiedTwice() throws IOException {
        try (TorchCheckpoint c = TorchCheckpoint.open(file("w.pth", TorchFixtures.stateDictFile()))) {
            StoredTensor a = c.get("conv.weight");
            StoredTensor b = c.get("conv.weight");
            assertEquals(a, b);
            assertTrue(a.data().isReadOnly(), "shared bytes are exposed read-only");
        }
    }

    @Test
    void noneAsDictKeyAndValueIsPlainData() throws IOException {
        // {None: None, 'extra': {None: None}, ...tensors}: legal Python; the one-item dict is
        // pickled with SETITEM, the larger one with SETITEMS.
        Map<Object, Object> single = new LinkedHashMap<>();
        single.put(null, null);
        Map<Object, Object> top = new LinkedHashMap<>();
        top.put(null, null);
        top.put("extra", single);
        top.putAll(TorchFixtures.tensors(""));
        byte[] zip = TorchZipBuilder.standard(TorchPickleWriter.pickle(top), TorchFixtures.storages()).build();
        try (TorchCheckpoint c = TorchCheckpoint.open(file("none.pth", zip))) {
            assertEquals(6, c.names().size());
            assertEquals(7, c.topLevelKeys().size(), "the None key is not a name");
            assertTrue(c.stateDict("extra").names().isEmpty());
        }
    }

    @Test
    void closedCheckpointRefusesReads() throws IOException {
        TorchCheckpoint c = TorchCheckpoint.open(file("c.pth", TorchFixtures.stateDictFile()));
        c.close();
        WeightFileException e = assertThrows(WeightFileException.class, () -> c.get("conv.weight"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertFalse(c.names().isEmpty());
    }
}

package dpvm.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    @Test
    void writesTheExactHeaderTheFormatPrescribes() throws IOException {
        Path f = dir.resolve("a.safetensors");
        Map<String, StoredTensor> t = new LinkedHashMap<>();
        t.put("a", StoredTensor.ofFloats("a", new long[] {2}, new float[] {1f, 2f}));
        SafeTensors.write(f, t, Map.of("k", "v"));

        byte[] bytes = Files.readAllBytes(f);
        String json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} ";
        assertEquals(80, json.length(), "79 bytes of JSON padded with one space to a multiple of 8");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(80L, b.getLong(0));
        assertEquals(json, new String(bytes, 8, 80, StandardCharsets.UTF_8));
        assertEquals(8 + 80 + 8, bytes.length);
        assertEquals(1f, b.getFloat(88));
        assertEquals(2f, b.getFloat(92));
    }

    @Test
    void readsAHandWrittenFile() throws IOException {
        String json = "{\"w\":{\"dtype\":\"I16\",\"shape\":[1,2],\"data_offsets\":[0,4]}}";
        ByteBuffer b = ByteBuffer.allocate(8 + json.length() + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length()).put(json.getBytes(StandardCharsets.US_ASCII)).putShort((short) -3).putShort((short) 7);
        Path f = dir.resolve("w.safetensors");
        Files.write(f, b.array());
        try (WeightFile w = SafeTensors.open(f)) {
            assertEquals(List.of("w"), List.copyOf(w.names()));
            StoredTensor t = w.get("w");
            assertEquals(StoredDType.I16, t.dtype());
            assertArrayEquals(new long[] {1, 2}, t.shape());
            assertArrayEquals(new long[] {-3, 7}, t.toLongArray());
            assertArrayEquals(new float[] {-3f, 7f}, t.toFloatArray());
            assertTrue(w.metadata().isEmpty());
        }
    }

    @Test
    void everyDTypeRoundTripsBitExactly() throws IOException {
        Map<String, StoredTensor> in = new LinkedHashMap<>();
        int seed = 1;
        for (StoredDType d : StoredDType.values()) {
            byte[] raw = new byte[6 * d.byteSize()];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) (seed * 31 + i * 7);
            }
            if (d == StoredDType.BOOL) {
                raw = new byte[] {0, 1, 1, 0, 1, 0};
            }
            seed++;
            in.put("t." + d, StoredTensor.of("t." + d, d, new long[] {2, 3}, raw));
        }
        in.put("scalar", StoredTensor.ofDoubles("scalar", new long[] {}, new double[] {Math.PI}));
        in.put("empty", StoredTensor.of("empty", StoredDType.F32, new long[] {0, 5}, new byte[0]));
        Path f = dir.resolve("all.safetensors");
        SafeTensors.write(f, in, Map.of("format", "pt", "note", "quote \" and \u00e9"));
        for (long limit : new long[] {SafeTensors.SINGLE_MAP_LIMIT, 0}) {
            try (WeightFile w = SafeTensors.open(f, limit)) {
                assertEquals(List.copyOf(in.keySet()), List.copyOf(w.names()), "file order is insertion order");
                for (String name : in.keySet()) {
                    StoredTensor got = w.get(name);
                    assertEquals(in.get(name), got, name);
                    assertTrue(got.data().isReadOnly());
                    assertEquals(ByteOrder.LITTLE_ENDIAN, got.data().order());
                    assertEquals(0, got.data().position());
                }
                assertEquals("quote \" and \u00e9", w.metadata().get("note"));
                assertEquals(Math.PI, w.get("scalar").toDoubleArray()[0]);
                assertEquals(0, w.get("empty").numel());
            }
        }
        assertEquals(0, ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getLong(0) % 8);
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, Map.of("x", StoredTensor.ofFloats("x", new long[] {1}, new float[] {1})), Map.of());
        SafeTensors.write(f, Map.of("y", StoredTensor.ofFloats("y", new long[] {1}, new float[] {2})), Map.of());
        try (WeightFile w = SafeTensors.open(f)) {
            assertEquals(List.of("y"), List.copyOf(w.names()));
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void failedWriteKeepsTheOldFile() throws IOException {
        Path f = dir.resolve("keep.safetensors");
        SafeTensors.write(f, Map.of("x", StoredTensor.ofFloats("x", new long[] {1}, new float[] {1})), Map.of());
        byte[] before = Files.readAllBytes(f);
        Map<String, StoredTensor> bad = Map.of("__metadata__", StoredTensor.ofFloats("m", new long[] {1}, new float[] {1}));
        assertThrows(WeightFileException.class, () -> SafeTensors.write(f, bad, Map.of()));
        assertArrayEquals(before, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void getIsLazyAndRejectsUnknownNamesAndUseAfterClose() {
        Path f = dir.resolve("l.safetensors");
        SafeTensors.write(f, Map.of("x", StoredTensor.ofFloats("x", new long[] {1}, new float[] {1})), Map.of());
        WeightFile w = SafeTensors.open(f);
        WeightFileException e = assertThrows(WeightFileException.class, () -> w.get("nope"));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("nope"), e.getMessage());
        w.close();
        assertThrows(WeightFileException.class, () -> w.get("x"));
        assertFalse(w.names().isEmpty());
    }
}

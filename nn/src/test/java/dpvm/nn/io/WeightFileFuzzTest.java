package dpvm.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates valid files thousands of times (fixed seed) and demands that reading each one either
 * succeeds or throws {@link WeightFileException}: never another exception, an error, or a hang.
 */
class WeightFileFuzzTest {

    /** Override with -Dweightio.fuzz.seed / -Dweightio.fuzz.rounds for a longer hunt. */
    private static final long SEED = Long.getLong("weightio.fuzz.seed", 0x5AFE_7E45L);
    private static final int ROUNDS = Integer.getInteger("weightio.fuzz.rounds", 2000);
    private static final Duration LIMIT = Duration.ofSeconds(Math.max(20, ROUNDS / 100));

    @TempDir
    Path dir;

    private int fileCounter;
    private int accepted;
    private int rejected;

    @Test
    void mutatedSafetensorsFilesFailCleanly() {
        byte[] valid = validSafetensors();
        int headerLength = (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertTimeoutPreemptively(LIMIT, () -> {
            Random r = new Random(SEED);
            for (int i = 0; i < ROUNDS; i++) {
                byte[] m = switch (i % 5) {
                    case 4 -> editHeaderLength(valid, r);
                    case 3 -> editJsonDigit(valid, headerLength, r);
                    default -> mutate(valid, r);
                };
                exercise("safetensors round " + i, m, SafeTensors::open);
            }
        });
        assertTrue(rejected > ROUNDS / 2, "most mutants are rejected: " + rejected);
        assertTrue(accepted > 0, "mutations inside tensor data still load: " + accepted);
        assertRoundTrip(valid);
    }

    @Test
    void mutatedTorchArchivesFailCleanly() {
        byte[] valid = TorchFixtures.checkpointFile();
        assertTimeoutPreemptively(LIMIT, () -> {
            Random r = new Random(SEED + 1);
            for (int i = 0; i < ROUNDS; i++) {
                byte[] m = i % 4 == 3 ? editZipField(valid, r) : mutate(valid, r);
                exercise("torch zip round " + i, m, TorchCheckpoint::open);
            }
        });
        assertTrue(rejected > ROUNDS / 4, "many mutants are rejected: " + rejected);
        assertTrue(accepted > 0, "some mutants still load: " + accepted);
        assertTorchLoads(valid);
    }

    @Test
    void mutatedPicklesFailCleanly() {
        byte[] pickle = TorchPickleWriter.pickle(new TorchPickleWriter.OrderedDict(TorchFixtures.tensors("module."), true));
        Map<String, byte[]> storages = TorchFixtures.storages();
        assertTimeoutPreemptively(LIMIT, () -> {
            Random r = new Random(SEED + 2);
            for (int i = 0; i < ROUNDS; i++) {
                byte[] m = mutate(pickle, r);
                exercise("pickle round " + i, TorchZipBuilder.standard(m, storages).build(), TorchCheckpoint::open);
            }
        });
        assertTrue(rejected > ROUNDS / 2, "most mutated pickles are rejected: " + rejected);
        assertTrue(accepted > 0, "some mutated pickles still load: " + accepted);
    }

    @Test
    void randomOpcodeStreamsFailCleanly() {
        Map<String, byte[]> storages = TorchFixtures.storages();
        assertTimeoutPreemptively(LIMIT, () -> {
            Random r = new Random(SEED + 3);
            for (int i = 0; i < ROUNDS; i++) {
                exercise("opcode stream " + i, TorchZipBuilder.standard(randomPickle(r), storages).build(),
                        TorchCheckpoint::open);
            }
        });
        assertTrue(rejected > 0 && rejected + accepted == ROUNDS);
    }

    /** Opcodes the unpickler knows, with plausible arguments, so streams get past the first check. */
    private static final String[] TOKENS = {
        "}", "]", ")", "(", "t", "\u0085", "\u0086", "\u0087", "l", "d", "a", "e", "s", "u",
        "\u008c\u0007storage", "\u008c\u00010", "\u008c\u00011", "\u008c\u0003cpu", "\u008c\u0001w",
        "K\u0000", "K\u0002", "K\u0006", "J\u00ff\u00ff\u00ff\u00ff", "\u008a\u0001\u00ff", "G@\u0000\u0000\u0000\u0000\u0000\u0000\u0000",
        "\u0088", "\u0089", "N", "q\u0000", "q\u0001", "q\u0002", "h\u0000", "h\u0001", "h\u0002",
        "ctorch._utils\n_rebuild_tensor_v2\n", "ctorch._utils\n_rebuild_parameter\n", "ccollections\nOrderedDict\n",
        "ctorch\nFloatStorage\n", "ctorch\nLongStorage\n", "ctorch._tensor\n_rebuild_from_type_v2\n", "ctorch\nTensor\n",
        "R", "b", "\u0081", "Q", "0", "1", "2", "\u0094",
    };

    private static byte[] randomPickle(Random r) {
        StringBuilder sb = new StringBuilder("\u0080\u0002");
        int n = 3 + r.nextInt(60);
        for (int k = 0; k < n; k++) {
            sb.append(TOKENS[r.nextInt(TOKENS.length)]);
        }
        sb.append('.');
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Opens and reads everything; any throwable other than WeightFileException fails the test. */
    private void exercise(String what, byte[] bytes, Function<Path, WeightFile> opener) throws IOException {
        Path f = dir.resolve("m" + (fileCounter++));
        Files.write(f, bytes);
        try (WeightFile w = opener.apply(f)) {
            w.metadata().size();
            for (String n : w.names()) {
                StoredTensor t = w.get(n);
                if (t.numel() < 1 << 20) {
                    t.toFloatArray();
                    t.toLongArray();
                }
            }
            accepted++;
        } catch (WeightFileException e) {
            if (e.getMessage() == null || !e.getMessage().contains(f.toString())) {
                fail(what + ": message does not name the file: " + e.getMessage());
            }
            if (e.getMessage().contains("internal error")) {
                throw new AssertionError(what + ": an unchecked exception escaped the input checks", e);
            }
            rejected++;
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t, t);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** One of: flip bits, overwrite bytes, truncate, delete or duplicate a chunk. */
    private static byte[] mutate(byte[] valid, Random r) {
        byte[] m = valid.clone();
        switch (r.nextInt(5)) {
            case 0 -> {
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> {
                int n = 1 + r.nextInt(8);
                int at = r.nextInt(m.length);
                for (int k = 0; k < n && at + k < m.length; k++) {
                    m[at + k] = (byte) r.nextInt(256);
                }
            }
            case 2 -> m = Arrays.copyOf(m, r.nextInt(m.length));
            case 3 -> {
                int at = r.nextInt(m.length);
                int len = Math.min(1 + r.nextInt(32), m.length - at);
                byte[] out = new byte[m.length - len];
                System.arraycopy(m, 0, out, 0, at);
                System.arraycopy(m, at + len, out, at, m.length - at - len);
                m = out;
            }
            default -> {
                int at = r.nextInt(m.length);
                int len = Math.min(1 + r.nextInt(32), m.length - at);
                byte[] out = new byte[m.length + len];
                System.arraycopy(m, 0, out, 0, at + len);
                System.arraycopy(m, at, out, at + len, m.length - at);
                m = out;
            }
        }
        return m;
    }

    private static final long[] INTERESTING = {0, 1, 2, 7, 8, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 31,
        (1L << 32) - 1, 100L * 1024 * 1024, 100L * 1024 * 1024 + 1};

    private static byte[] editHeaderLength(byte[] valid, Random r) {
        byte[] m = valid.clone();
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        long v = switch (r.nextInt(3)) {
            case 0 -> INTERESTING[r.nextInt(INTERESTING.length)];
            case 1 -> n + r.nextInt(33) - 16;
            default -> m.length - 8 + r.nextInt(5) - 2;
        };
        b.putLong(0, v);
        return m;
    }

    /** Changes one digit inside the JSON header, which tampers with shapes and offsets. */
    private static byte[] editJsonDigit(byte[] valid, int headerLength, Random r) {
        byte[] m = valid.clone();
        for (int tries = 0; tries < 100; tries++) {
            int at = 8 + r.nextInt(headerLength);
            if (m[at] >= '0' && m[at] <= '9') {
                m[at] = (byte) ('0' + r.nextInt(10));
                return m;
            }
        }
        return m;
    }

    /** Overwrites a 2- or 4-byte little-endian field (zip sizes, offsets, counts) with an edge value. */
    private static byte[] editZipField(byte[] valid, Random r) {
        byte[] m = valid.clone();
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        // Bias toward the central directory at the end, where sizes and offsets live.
        int at = r.nextBoolean() ? r.nextInt(m.length - 4) : m.length - 4 - r.nextInt(Math.min(m.length - 4, 600));
        int[] values = {0, 1, -1, 0x7FFFFFFF, 0x80000000, 0xFFFF, 24, m.length, r.nextInt()};
        int v = values[r.nextInt(values.length)];
        if (r.nextBoolean()) {
            b.putInt(at, v);
        } else {
            b.putShort(at, (short) v);
        }
        return m;
    }

    private static byte[] validSafetensors() {
        try {
            Path tmp = Files.createTempFile("fuzz-base", ".safetensors");
            try {
                Map<String, StoredTensor> t = new LinkedHashMap<>();
                t.put("embed.weight", StoredTensor.ofFloats("embed.weight", new long[] {3, 4},
                        new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
                t.put("pos", StoredTensor.of("pos", StoredDType.F16, new long[] {2}, new byte[] {0, 0x3C, 0, (byte) 0xC0}));
                t.put("steps", StoredTensor.ofLongs("steps", new long[] {}, new long[] {42}));
                t.put("mask", StoredTensor.of("mask", StoredDType.BOOL, new long[] {3}, new byte[] {1, 0, 1}));
                SafeTensors.write(tmp, t, Map.of("format", "pt"));
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void assertRoundTrip(byte[] valid) {
        try {
            Path f = dir.resolve("valid.safetensors");
            Files.write(f, valid);
            try (WeightFile w = SafeTensors.open(f)) {
                assertArrayEquals(new float[] {1, -2}, w.get("pos").toFloatArray());
                assertArrayEquals(new long[] {42}, w.get("steps").toLongArray());
                assertEquals(12f, w.get("embed.weight").toFloatArray()[11]);
                Path copy = dir.resolve("copy.safetensors");
                Map<String, StoredTensor> all = new LinkedHashMap<>();
                for (String n : w.names()) {
                    all.put(n, w.get(n));
                }
                SafeTensors.write(copy, all, w.metadata());
                assertArrayEquals(valid, Files.readAllBytes(copy), "re-writing reproduces the file byte for byte");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void assertTorchLoads(byte[] valid) {
        try {
            Path f = dir.resolve("valid.pth");
            Files.write(f, valid);
            try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
                assertArrayEquals(new float[] {11, 14, 12, 15, 13, 16}, c.get("module.transposed").toFloatArray());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

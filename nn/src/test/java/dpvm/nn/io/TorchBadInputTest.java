package dpvm.nn.io;

import static dpvm.nn.io.TorchFixtures.dims;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dpvm.nn.io.TorchPickleWriter.OrderedDict;
import dpvm.nn.io.TorchPickleWriter.Raw;
import dpvm.nn.io.TorchPickleWriter.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchBadInputTest {

    @TempDir
    Path dir;

    private int counter;

    private Path write(byte[] bytes) throws IOException {
        Path f = dir.resolve("bad" + (counter++) + ".pth");
        Files.write(f, bytes);
        return f;
    }

    /** A valid archive around an arbitrary (usually hostile) pickle. */
    private Path withPickle(byte[] pickle) throws IOException {
        return write(TorchZipBuilder.standard(pickle, TorchFixtures.storages()).build());
    }

    private static byte[] ops(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    /** Opening and reading every tensor fails with a message naming the file and {@code expected}. */
    private <T extends WeightFileException> T rejects(Class<T> type, Path f, String expected) {
        T e = assertThrows(type, () -> {
            try (TorchCheckpoint c = TorchCheckpoint.open(f, 4 << 20)) {
                for (String n : c.names()) {
                    c.get(n);
                }
            }
        });
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
        return e;
    }

    private void rejects(Path f, String expected) {
        rejects(WeightFileException.class, f, expected);
    }

    @Test
    void osSystemIsNeverCalled() throws IOException {
        Path f = withPickle(ops("cos\nsystem\n", "X", 8, 0, 0, 0, "touch /x", 0x85, "R."));
        rejects(UnsafeWeightFileException.class, f, "forbidden global os.system");
    }

    @Test
    void builtinsEvalAndStackGlobalAreRefused() throws IOException {
        rejects(UnsafeWeightFileException.class, withPickle(ops("cbuiltins\neval\n", ")R.")), "builtins.eval");
        // The same through protocol 4's STACK_GLOBAL.
        rejects(UnsafeWeightFileException.class,
                withPickle(ops(0x8C, 8, "builtins", 0x8C, 4, "exec", 0x93, ")R.")), "builtins.exec");
    }

    @Test
    void loadFromBytesIsRejected() throws IOException {
        rejects(UnsafeWeightFileException.class, withPickle(ops("ctorch.storage\n_load_from_bytes\n", ")R.")),
                "torch.storage._load_from_bytes");
    }

    @Test
    void allowedNamesCannotBeCalledAsSomethingElse() throws IOException {
        rejects(UnsafeWeightFileException.class, withPickle(ops("ctorch\nFloatStorage\n", ")R.")),
                "calls torch.FloatStorage");
        rejects(UnsafeWeightFileException.class, withPickle(ops("ctorch._utils\n_rebuild_tensor_v2\n", ")", 0x81, ".")),
                "instantiates torch._utils._rebuild_tensor_v2");
    }

    @Test
    void forbiddenGlobalDeepInsideAStateDictIsStillFound() throws IOException {
        Map<String, Object> sd = new LinkedHashMap<>(TorchFixtures.tensors(""));
        sd.put("evil", new Raw(ops("csubprocess\nPopen\n", ")R")));
        byte[] pkl = TorchPickleWriter.pickle(new OrderedDict(sd, true));
        rejects(UnsafeWeightFileException.class, withPickle(pkl), "subprocess.Popen");
    }

    @Test
    void memoReferenceOutOfRange() throws IOException {
        rejects(withPickle(ops("}q", 0, "h", 200, ".")), "memo reference 200 was never stored");
        rejects(withPickle(ops("}j", 0xFF, 0xFF, 0xFF, 0x7F, ".")), "memo reference 2147483647");
    }

    @Test
    void markStackBomb() throws IOException {
        rejects(withPickle(ops("(".repeat(100_000), "}.")), "nested MARKs");
    }

    @Test
    void valueStackBomb() throws IOException {
        rejects(withPickle(ops("N".repeat(RestrictedUnpickler.MAX_STACK + 1), ".")), "stack deeper than");
    }

    @Test
    void deeplyNestedListsDoNotOverflowTheJavaStack() throws IOException {
        int depth = 200_000;
        rejects(withPickle(ops("]".repeat(depth), "a".repeat(depth - 1), ".")), "top-level object has type list");
    }

    @Test
    void selfContainingListAsDictKey() throws IOException {
        // l = []; l.append(l); {l: None}: hashing l would recurse forever.
        rejects(withPickle(ops("]q", 0, "h", 0, "a}h", 0, "Ns.")), "unhashable dict key of type list");
    }

    @Test
    void truncatedAndMalformedPickles() throws IOException {
        byte[] good = TorchPickleWriter.pickle(new OrderedDict(TorchFixtures.tensors(""), true));
        rejects(withPickle(Arrays.copyOf(good, good.length - 1)), "STOP");
        rejects(withPickle(Arrays.copyOf(good, 40)), "truncated");
        rejects(withPickle(ops("X", 0xFF, 0xFF, 0xFF, 0x7F, "abc")), "truncated");
        rejects(withPickle(ops(0xFF)), "unsupported pickle opcode 0xff");
        rejects(withPickle(ops("a.")), "stack underflow");
        rejects(withPickle(ops("t.")), "no MARK");
        rejects(withPickle(ops("K", 1, "N", "u.")), "no MARK");
        rejects(withPickle(ops(".")), "stack underflow");
    }

    @Test
    void nonTensorTopLevelIsExplained() throws IOException {
        rejects(withPickle(TorchPickleWriter.pickle(java.util.List.of(1, 2))), "not a dict of tensors");
    }

    @Test
    void tensorReachingPastItsStorage() throws IOException {
        Map<String, Object> sd = Map.of("w", new Tensor("0", StoredDType.F32, 6, 1, dims(2, 3), dims(3, 1), false));
        rejects(withPickle(TorchPickleWriter.pickle(new OrderedDict(sd, false))), "reaches element 6 of storage 0");
    }

    @Test
    void hostileTensorGeometry() throws IOException {
        Map<String, Object> negative = Map.of("w", new Tensor("0", StoredDType.F32, 6, 0, dims(-1), dims(1), false));
        rejects(withPickle(TorchPickleWriter.pickle(new OrderedDict(negative, false))), "negative");
        Map<String, Object> overflow = Map.of("w", new Tensor("0", StoredDType.F32, 6, 0,
                dims(1L << 62, 1L << 62), dims(1, 1), false));
        rejects(withPickle(TorchPickleWriter.pickle(new OrderedDict(overflow, false))), "overflows");
        Map<String, Object> rankMismatch = Map.of("w", new Tensor("0", StoredDType.F32, 6, 0, dims(6), dims(1, 1), false));
        rejects(withPickle(TorchPickleWriter.pickle(new OrderedDict(rankMismatch, false))), "1 sizes but 2 strides");
    }

    @Test
    void storageShorterThanDeclared() throws IOException {
        Map<String, byte[]> s = TorchFixtures.storages();
        s.put("1", TorchFixtures.floats(1, 2, 3));
        byte[] pkl = TorchPickleWriter.pickle(new OrderedDict(TorchFixtures.tensors(""), true));
        rejects(write(TorchZipBuilder.standard(pkl, s).build()), "archive/data/1 has 12 bytes, expected 28");
    }

    @Test
    void storageKeyCannotEscapeTheArchiveFolder() throws IOException {
        Map<String, Object> sd = Map.of("w", new Tensor("../../etc", StoredDType.F32, 6, 0, dims(6), dims(1), false));
        rejects(withPickle(TorchPickleWriter.pickle(new OrderedDict(sd, false))), "storage key");
    }

    @Test
    void missingEntries() throws IOException {
        byte[] pkl = TorchPickleWriter.pickle(new OrderedDict(TorchFixtures.tensors(""), true));
        rejects(write(TorchZipBuilder.standard(pkl, TorchFixtures.storages()).remove("data.pkl").build()),
                "no <archive>/data.pkl entry");
        Map<String, byte[]> s = TorchFixtures.storages();
        s.remove("0");
        rejects(write(TorchZipBuilder.standard(pkl, s).build()), "zip entry archive/data/0 is missing");
    }

    @Test
    void bigEndianArchiveIsRefused() throws IOException {
        byte[] pkl = TorchPickleWriter.pickle(new OrderedDict(TorchFixtures.tensors(""), true));
        rejects(write(TorchZipBuilder.standard(pkl, TorchFixtures.storages())
                .entry("byteorder", "big".getBytes(StandardCharsets.US_ASCII)).build()), "byteorder \"big\"");
    }

    @Test
    void pickleZipBombIsCutOffAtTheCap() throws IOException {
        byte[] huge = new byte[8 << 20];
        Arrays.fill(huge, (byte) 'N');
        byte[] zip = new TorchZipBuilder("archive").entry("data.pkl", huge).deflated("data.pkl").build();
        assertTrue(zip.length < 64 << 10, "the bomb is small on disk");
        rejects(write(zip), "holds more than 4194304 bytes");
    }

    @Test
    void storageBombWithLyingSizeFieldsIsCutOff() throws IOException {
        byte[] pkl = TorchPickleWriter.pickle(new OrderedDict(TorchFixtures.tensors(""), true));
        Map<String, byte[]> s = TorchFixtures.storages();
        s.put("0", new byte[32 << 20]);
        TorchZipBuilder b = TorchZipBuilder.standard(pkl, s).deflated("data/0");
        byte[] zip = b.build();
        // Make the central directory claim the 24 bytes the pickle expects.
        patchCentralDirectorySize(zip, "archive/data/0", 24);
        rejects(write(zip), "archive/data/0 holds more than 24 bytes");
    }

    @Test
    void notAZipAndLegacyFormats() throws IOException {
        rejects(write(new byte[0]), "file is empty");
        rejects(write("hello world".getBytes(StandardCharsets.US_ASCII)), "no zip signature");
        rejects(write(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc}), "legacy non-zip");
        byte[] tar = new byte[1024];
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 5);
        rejects(write(tar), "legacy tar");
        byte[] valid = TorchFixtures.stateDictFile();
        rejects(write(Arrays.copyOf(valid, valid.length - 30)), "zip");
    }

    @Test
    void validFileStillLoadsAfterAllThat() throws IOException {
        try (TorchCheckpoint c = TorchCheckpoint.open(write(TorchFixtures.stateDictFile()))) {
            assertEquals(6, c.names().size());
        }
    }

    static void patchCentralDirectorySize(byte[] zip, String name, int size) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + 46 < zip.length; i++) {
            if (b.getInt(i) == 0x02014b50 && (b.getShort(i + 28) & 0xFFFF) == n.length
                    && Arrays.equals(Arrays.copyOfRange(zip, i + 46, i + 46 + n.length), n)) {
                b.putInt(i + 24, size);
                return;
            }
        }
        throw new AssertionError("no central directory entry " + name);
    }
}

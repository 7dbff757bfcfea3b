package dpvm.nn.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsBadInputTest {

    @TempDir
    Path dir;

    private int counter;

    private Path raw(byte[] bytes) throws IOException {
        Path f = dir.resolve("bad" + (counter++) + ".safetensors");
        Files.write(f, bytes);
        return f;
    }

    private Path file(long headerLength, byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header);
        return raw(b.array());
    }

    private Path file(String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, dataBytes);
    }

    /** Opens and reads everything; the failure must name the file and contain {@code expected}. */
    private void rejects(Path f, String expected) {
        WeightFileException e = assertThrows(WeightFileException.class, () -> {
            try (WeightFile w = SafeTensors.open(f)) {
                for (String n : w.names()) {
                    w.get(n).toFloatArray();
                }
            }
        });
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
    }

    private static String tensor(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        rejects(raw(new byte[] {1, 2, 3}), "fewer than the 8-byte header length");
    }

    @Test
    void headerLengthAboveTheLimit() throws IOException {
        rejects(file(1L << 40, new byte[16], 0), "exceeds");
    }

    @Test
    void headerLengthNegativeAsSigned() throws IOException {
        rejects(file(-8, new byte[16], 0), "18446744073709551608");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        rejects(file(1000, "{}".getBytes(StandardCharsets.US_ASCII), 0), "larger than the 2 bytes");
    }

    @Test
    void offsetsOutsideTheFile() throws IOException {
        rejects(file("{" + tensor("a", "F32", "[2]", 0, 8) + "}", 4), "reach past the 4-byte data section");
    }

    @Test
    void overlappingTensors() throws IOException {
        rejects(file("{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12) + "}", 12), "overlap");
    }

    @Test
    void offsetsNotMatchingDtypeTimesShape() throws IOException {
        rejects(file("{" + tensor("a", "F32", "[3]", 0, 8) + "}", 8), "needs 12 bytes but data_offsets [0, 8] span 8");
    }

    @Test
    void endBeforeBegin() throws IOException {
        rejects(file("{" + tensor("a", "F32", "[0]", 8, 0) + "}", 8), "end before they begin");
    }

    @Test
    void unknownDtype() throws IOException {
        rejects(file("{" + tensor("a", "F8_E5M2", "[2]", 0, 2) + "}", 2), "unsupported dtype \"F8_E5M2\"");
    }

    @Test
    void negativeShape() throws IOException {
        rejects(file("{" + tensor("a", "F32", "[-1]", 0, 0) + "}", 0), "negative value -1");
    }

    @Test
    void overflowingShape() throws IOException {
        rejects(file("{" + tensor("a", "F32", "[4611686018427387904,4]", 0, 0) + "}", 0), "overflows");
        rejects(file("{" + tensor("a", "F32", "[2305843009213693952]", 0, 0) + "}", 0), "too large");
        rejects(file("{" + tensor("a", "F32", "[99999999999999999999]", 0, 0) + "}", 0), "out of range");
    }

    @Test
    void duplicateNames() throws IOException {
        rejects(file("{" + tensor("a", "U8", "[1]", 0, 1) + "," + tensor("a", "U8", "[1]", 1, 2) + "}", 2),
                "duplicate key \"a\"");
    }

    @Test
    void gapAndUncoveredTrailingBytes() throws IOException {
        rejects(file("{" + tensor("a", "U8", "[1]", 1, 2) + "}", 2), "gap");
        rejects(file("{" + tensor("a", "U8", "[1]", 0, 1) + "}", 5), "cover only 1");
    }

    @Test
    void malformedJson() throws IOException {
        rejects(file("{" + tensor("a", "U8", "[1]", 0, 1) + ",}", 1), "malformed safetensors header");
        rejects(file("{\"a\":01}", 0), "malformed");
        rejects(file("{\"a\":\"\u0001\"}", 0), "control character");
        rejects(file("[1]", 0), "does not start with '{'");
        rejects(file("{\"__metadata__\":" + "[".repeat(100) + "]".repeat(100) + "}", 0), "nesting deeper");
    }

    @Test
    void headerNotUtf8() throws IOException {
        byte[] h = {'{', '"', (byte) 0xC3, '"', ':', '1', '}'};
        rejects(file(h.length, h, 0), "not valid UTF-8");
    }

    @Test
    void badMetadataAndFields() throws IOException {
        rejects(file("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__ value of \"k\" is not a string");
        rejects(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"x\":1}}", 1), "unexpected field \"x\"");
        rejects(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1.5],\"data_offsets\":[0,1]}}", 1), "non-integer");
        rejects(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", 1), "two entries");
        rejects(file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "missing or non-string dtype");
    }
}

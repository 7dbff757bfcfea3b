package dpvm.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoredTensorTest {

    private static byte[] shorts(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int s : bits) {
            b.putShort((short) s);
        }
        return b.array();
    }

    @Test
    void halfPrecisionDecodesKnownBitPatterns() {
        StoredTensor t = StoredTensor.of("h", StoredDType.F16, new long[] {8},
                shorts(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0xFC00, 0x3555, 0x8000));
        float[] f = t.toFloatArray();
        assertEquals(1f, f[0]);
        assertEquals(-2f, f[1]);
        assertEquals(65504f, f[2]);
        assertEquals(0x1p-24f, f[3], "smallest subnormal");
        assertEquals(Float.POSITIVE_INFINITY, f[4]);
        assertEquals(Float.NEGATIVE_INFINITY, f[5]);
        assertEquals(0.333251953125f, f[6]);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(f[7]));
        assertTrue(Float.isNaN(StoredTensor.of("n", StoredDType.F16, new long[] {1}, shorts(0x7E00)).toFloatArray()[0]));
    }

    @Test
    void bfloat16IsTheUpperHalfOfAFloat() {
        StoredTensor t = StoredTensor.of("b", StoredDType.BF16, new long[] {3}, shorts(0x3F80, 0xC0A0, 0x4049));
        assertArrayEquals(new float[] {1f, -5f, 3.140625f}, t.toFloatArray());
        assertArrayEquals(new long[] {1, -5, 3}, t.toLongArray());
    }

    @Test
    void integersConvertWithSignAndUnsignedBytes() {
        byte[] raw = {(byte) 0xFF, 0x7F, (byte) 0x80};
        assertArrayEquals(new long[] {-1, 127, -128}, StoredTensor.of("i", StoredDType.I8, new long[] {3}, raw).toLongArray());
        assertArrayEquals(new long[] {255, 127, 128}, StoredTensor.of("u", StoredDType.U8, new long[] {3}, raw).toLongArray());
        assertArrayEquals(new double[] {1, 1, 1}, StoredTensor.of("b", StoredDType.BOOL, new long[] {3}, raw).toDoubleArray());
        assertArrayEquals(new double[] {-2.5}, StoredTensor.ofDoubles("d", new long[] {1}, new double[] {-2.5}).toDoubleArray());
        assertArrayEquals(new long[] {-2}, StoredTensor.ofDoubles("d", new long[] {1}, new double[] {-2.5}).toLongArray());
    }

    @Test
    void constructorChecksTheByteCountAndShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StoredTensor.of("w", StoredDType.F32, new long[] {2, 2}, new byte[12]));
        assertTrue(e.getMessage().contains("needs 16 bytes but 12"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StoredTensor.of("w", StoredDType.F32, new long[] {-1}, new byte[0]));
        assertEquals(0, StoredTensor.of("e", StoredDType.F32, new long[] {Long.MAX_VALUE, 0}, new byte[0]).numel(),
                "an empty tensor may have huge other extents");
    }

    @Test
    void dataIsReadOnlyLittleEndianAndShapeIsCopied() {
        long[] shape = {2};
        byte[] raw = new byte[8];
        StoredTensor t = StoredTensor.of("w", StoredDType.F32, shape, raw);
        shape[0] = 99;
        assertArrayEquals(new long[] {2}, t.shape());
        t.shape()[0] = 5;
        assertArrayEquals(new long[] {2}, t.shape());
        ByteBuffer d = t.data();
        assertThrows(ReadOnlyBufferException.class, () -> d.put(0, (byte) 1));
        d.position(4);
        assertEquals(0, t.data().position(), "each call gives a fresh view");
        assertEquals(ByteOrder.LITTLE_ENDIAN, t.data().order());
    }

    @Test
    void equalityComparesContent() {
        StoredTensor a = StoredTensor.ofFloats("w", new long[] {2}, new float[] {1, 2});
        StoredTensor b = StoredTensor.ofFloats("w", new long[] {2}, new float[] {1, 2});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, StoredTensor.ofFloats("w", new long[] {2}, new float[] {1, 3}));
        assertNotEquals(a, StoredTensor.ofFloats("w", new long[] {1, 2}, new float[] {1, 2}));
        assertNotEquals(a, a.withName("v"));
    }

    @Test
    void dtypeNamesMatchBothFormats() {
        assertEquals(Optional.of(StoredDType.BF16), StoredDType.fromSafetensorsName("BF16"));
        assertEquals(Optional.of(StoredDType.I8), StoredDType.fromTorchStorageName("CharStorage"));
        assertEquals(Optional.of(StoredDType.U8), StoredDType.fromTorchStorageName("ByteStorage"));
        assertEquals(Optional.empty(), StoredDType.fromSafetensorsName("F8_E4M3"));
        int total = 0;
        for (StoredDType d : StoredDType.values()) {
            total += d.byteSize();
        }
        assertEquals(8 + 4 + 2 + 2 + 8 + 4 + 2 + 1 + 1 + 1, total);
    }
}

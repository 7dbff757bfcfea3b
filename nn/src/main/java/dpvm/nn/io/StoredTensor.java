package dpvm.nn.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor as it lies in a weight file: dtype, row-major shape and its contiguous little-endian
 * bytes. Deliberately independent of the engine's tensor class so file IO can be tested alone.
 *
 * <p>{@link #data()} is read-only, little-endian and positioned at 0 on every call; for a mapped
 * file it is a view of the map, so nothing is copied until a caller copies it.
 */
public record StoredTensor(String name, StoredDType dtype, long[] shape, ByteBuffer data) {

    /**
     * @param data its remaining bytes must be exactly numel * dtype size; they are not copied
     * @throws IllegalArgumentException if the shape is invalid or the byte count does not match
     */
    public StoredTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long bytes = Shapes.byteSize(shape, dtype);
        if (bytes != data.remaining()) {
            throw new IllegalArgumentException("tensor " + name + ": " + dtype + Shapes.toString(shape)
                    + " needs " + bytes + " bytes but " + data.remaining() + " were given");
        }
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Wraps (does not copy) little-endian bytes. */
    public static StoredTensor of(String name, StoredDType dtype, long[] shape, byte[] littleEndianBytes) {
        return new StoredTensor(name, dtype, shape, ByteBuffer.wrap(littleEndianBytes));
    }

    public static StoredTensor ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new StoredTensor(name, StoredDType.F32, shape, b);
    }

    public static StoredTensor ofDoubles(String name, long[] shape, double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return new StoredTensor(name, StoredDType.F64, shape, b);
    }

    public static StoredTensor ofLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new StoredTensor(name, StoredDType.I64, shape, b);
    }

    /** A copy, so callers cannot change the record. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** A fresh read-only little-endian view positioned at 0. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public long byteSize() {
        return data.capacity();
    }

    public float[] toFloatArray() {
        int n = arrayLength();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = ElementDecoder.asFloat(data, dtype, i);
        }
        return out;
    }

    public double[] toDoubleArray() {
        int n = arrayLength();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = ElementDecoder.asDouble(data, dtype, i);
        }
        return out;
    }

    public long[] toLongArray() {
        int n = arrayLength();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = ElementDecoder.asLong(data, dtype, i);
        }
        return out;
    }

    /** A copy of the raw little-endian bytes. */
    public byte[] toByteArray() {
        byte[] out = new byte[data.capacity()];
        data.duplicate().get(out);
        return out;
    }

    /** The same bytes under another name (used when keys are remapped). */
    public StoredTensor withName(String newName) {
        return new StoredTensor(newName, dtype, shape, data);
    }

    private int arrayLength() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor " + name + " has " + n + " elements, too many for a Java array");
        }
        return (int) n;
    }

    /** Records compare arrays by identity; tensors are equal when name, type, shape and bytes are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof StoredTensor t
                && name.equals(t.name)
                && dtype == t.dtype
                && Arrays.equals(shape, t.shape)
                && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
        return "StoredTensor[" + name + ", " + dtype + Shapes.toString(shape) + "]";
    }
}

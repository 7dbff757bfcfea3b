package dpvm.nn.io;

import dpvm.tensor.Tensor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bridge between stored tensors (any file format) and engine tensors: half and bfloat16 weights widen to
 * float32, small integer types to int32, and shapes are checked to fit the engine's int sizes.
 */
public final class TensorIO {
    private TensorIO() {}

    public static Tensor toTensor(StoredTensor stored) {
        long[] ls = stored.shape();
        int[] shape = new int[ls.length];
        for (int i = 0; i < ls.length; i++) {
            if (ls[i] > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor '" + stored.name() + "': dimension " + ls[i] + " is too large for the engine");
            shape[i] = (int) ls[i];
        }
        return switch (stored.dtype()) {
            case F64 -> Tensor.of(stored.toDoubleArray(), shape);
            case F32, F16, BF16 -> Tensor.of(stored.toFloatArray(), shape);
            case I64 -> Tensor.ofLongs(stored.toLongArray(), shape);
            case I32, I16, I8, U8, BOOL -> {
                long[] v = stored.toLongArray();
                int[] iv = new int[v.length];
                for (int i = 0; i < v.length; i++) iv[i] = (int) v[i];
                yield Tensor.ofInts(iv, shape);
            }
        };
    }

    public static StoredTensor toStored(String name, Tensor t) {
        int[] s = t.shape();
        long[] shape = new long[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = s[i];
        return switch (t.dtype()) {
            case FLOAT32 -> StoredTensor.ofFloats(name, shape, t.toFloatArray());
            case FLOAT64 -> StoredTensor.ofDoubles(name, shape, t.toDoubleArray());
            case INT64 -> StoredTensor.ofLongs(name, shape, t.toLongArray());
            case INT32 -> {
                int[] v = t.toIntArray();
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (int x : v) b.putInt(x);
                yield StoredTensor.of(name, StoredDType.I32, shape, b.array());
            }
            case BFLOAT16 -> {
                short[] v = t.toBFloat16Array();
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (short x : v) b.putShort(x);
                yield StoredTensor.of(name, StoredDType.BF16, shape, b.array());
            }
        };
    }

    /** Every tensor of a safetensors or PyTorch file, in file order, on the CPU. */
    public static Map<String, Tensor> load(Path file) {
        try (WeightFile f = WeightFiles.open(file)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : f.names()) out.put(name, toTensor(f.get(name)));
            return out;
        }
    }

    /** Writes tensors to a safetensors file atomically (a crash never leaves a half-written file). */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, StoredTensor> stored = new LinkedHashMap<>();
        tensors.forEach((name, t) -> stored.put(name, toStored(name, t)));
        SafeTensors.write(file, stored, metadata);
    }
}

package dpvm.nn.io;

import dpvm.nn.io.TorchPickleWriter.OrderedDict;
import dpvm.nn.io.TorchPickleWriter.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test-only: small torch.save archives with known contents. */
final class TorchFixtures {
    private TorchFixtures() {
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static byte[] doubles(double... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) {
            b.putDouble(d);
        }
        return b.array();
    }

    static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long l : v) {
            b.putLong(l);
        }
        return b.array();
    }

    /** Insertion-ordered, so generated files are byte-for-byte reproducible. */
    static Map<Object, Object> map(Object... kv) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static long[] dims(long... d) {
        return d;
    }

    /** Storage 1 holds 10..16; "transposed" is its 3x2 view at offset 1 with strides (1, 3). */
    static Map<String, byte[]> storages() {
        Map<String, byte[]> s = new LinkedHashMap<>();
        s.put("0", floats(1, 2, 3, 4, 5, 6));
        s.put("1", floats(10, 11, 12, 13, 14, 15, 16));
        s.put("2", longs(7, 8, 9, 10));
        s.put("3", longs(42));
        s.put("4", doubles(0.5, -0.25));
        return s;
    }

    /** Tensor entries of a typical model state dict, keys as given (callers add prefixes). */
    static Map<String, Object> tensors(String prefix) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(prefix + "conv.weight", new Tensor("0", StoredDType.F32, 6, 0, dims(2, 3), dims(3, 1), false));
        m.put(prefix + "transposed", new Tensor("1", StoredDType.F32, 7, 1, dims(3, 2), dims(1, 3), false));
        m.put(prefix + "shared.a", new Tensor("2", StoredDType.I64, 4, 0, dims(2), dims(1), false));
        m.put(prefix + "shared.b", new Tensor("2", StoredDType.I64, 4, 2, dims(2), dims(1), false));
        m.put(prefix + "bn.num_batches_tracked", new Tensor("3", StoredDType.I64, 1, 0, dims(), dims(), false));
        m.put(prefix + "head.bias", new Tensor("4", StoredDType.F64, 2, 0, dims(2), dims(1), true));
        return m;
    }

    /** A bare state dict, as {@code torch.save(model.state_dict(), f)} writes it. */
    static byte[] stateDictFile() {
        byte[] pkl = TorchPickleWriter.pickle(new OrderedDict(tensors(""), true));
        return TorchZipBuilder.standard(pkl, storages()).build();
    }

    /**
     * A training checkpoint around a DataParallel state dict:
     * {@code {'epoch': 90, 'arch': 'vivit', 'best_acc': 0.75, 'state_dict': OrderedDict(module.*), 'optimizer': {...}}}.
     */
    static byte[] checkpointFile() {
        Map<String, Object> optimizer = new LinkedHashMap<>();
        Map<Object, Object> state = new LinkedHashMap<>();
        state.put(0, map("step", 10, "exp_avg", new Tensor("0", StoredDType.F32, 6, 0, dims(6), dims(1), false)));
        optimizer.put("state", state);
        optimizer.put("param_groups", java.util.List.of(map("lr", 0.001, "params", java.util.List.of(0, 1, 2))));
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("epoch", 90);
        top.put("arch", "vivit");
        top.put("best_acc", 0.75);
        top.put("state_dict", new OrderedDict(tensors("module."), true));
        top.put("optimizer", optimizer);
        top.put("ema", new OrderedDict(Map.of("w", new Tensor("3", StoredDType.I64, 1, 0, dims(1), dims(1), false)), false));
        return TorchZipBuilder.standard(TorchPickleWriter.pickle(top), storages()).build();
    }
}

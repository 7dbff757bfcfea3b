package dpvm.nn.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only pickle writer that emits the opcode sequences CPython's protocol 2 pickler produces
 * for what {@code torch.save} hands it: dicts, OrderedDicts, tuples, scalars and tensors whose
 * storages become persistent ids. Strings and globals are memoized and re-used with BINGET, as
 * the real pickler does.
 */
final class TorchPickleWriter {

    /** A Python tuple. */
    record Tuple(List<Object> items) {
        static Tuple of(Object... items) {
            return new Tuple(List.of(items));
        }
    }

    /** A {@code collections.OrderedDict}; {@code withMetadata} adds the {@code _metadata} state torch attaches. */
    record OrderedDict(Map<String, Object> items, boolean withMetadata) {
    }

    /** A tensor: a view (offset, size, stride) on storage {@code key}, optionally wrapped as a Parameter. */
    record Tensor(String key, StoredDType dtype, long storageNumel, long offset, long[] size, long[] stride,
                  boolean parameter) {
    }

    /** A tensor with Python attributes, which torch saves through {@code _rebuild_from_type_v2(func, type, args, state)}. */
    record TypedTensor(Tensor tensor, String typeModule, String typeName, Map<String, Object> state) {
    }

    /** Bytes copied verbatim, to build hostile pickles. */
    record Raw(byte[] bytes) {
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memo = new HashMap<>();

    static byte[] pickle(Object top) {
        TorchPickleWriter w = new TorchPickleWriter();
        w.op(0x80).op(2);
        w.save(top);
        w.op('.');
        return w.out.toByteArray();
    }

    private TorchPickleWriter op(int b) {
        out.write(b);
        return this;
    }

    private void bytes(byte[] b) {
        out.write(b, 0, b.length);
    }

    private void le32(long v) {
        bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
    }

    private void put() {
        int index = memoCounter++;
        if (index < 256) {
            op('q').op(index);
        } else {
            op('r');
            le32(index);
        }
    }

    private int memoCounter;

    private boolean get(String memoKey) {
        Integer index = memo.get(memoKey);
        if (index == null) {
            return false;
        }
        if (index < 256) {
            op('h').op(index);
        } else {
            op('j');
            le32(index);
        }
        return true;
    }

    private void remember(String memoKey) {
        memo.put(memoKey, memoCounter);
        put();
    }

    @SuppressWarnings("unchecked")
    void save(Object o) {
        if (o == null) {
            op('N');
        } else if (o instanceof Boolean b) {
            op(b ? 0x88 : 0x89);
        } else if (o instanceof Integer i) {
            saveInt(i);
        } else if (o instanceof Long l) {
            saveInt(l);
        } else if (o instanceof Double d) {
            op('G');
            bytes(ByteBuffer.allocate(8).putDouble(d).array());
        } else if (o instanceof String s) {
            saveString(s);
        } else if (o instanceof Tuple t) {
            saveTuple(t.items());
        } else if (o instanceof List<?> l) {
            op(']');
            put();
            batch((List<Object>) l, 'a', 'e');
        } else if (o instanceof OrderedDict d) {
            saveOrderedDict(d);
        } else if (o instanceof Map<?, ?> m) {
            op('}');
            put();
            setItems((Map<Object, Object>) m);
        } else if (o instanceof Tensor t) {
            saveTensor(t);
        } else if (o instanceof TypedTensor t) {
            saveTypedTensor(t);
        } else if (o instanceof Raw r) {
            bytes(r.bytes());
        } else {
            throw new IllegalArgumentException("cannot pickle " + o.getClass());
        }
    }

    /** Python picks the shortest of BININT1, BININT2, BININT, else LONG1. */
    private void saveInt(long v) {
        if (v >= 0 && v < 256) {
            op('K').op((int) v);
        } else if (v >= 0 && v < 65536) {
            op('M').op((int) (v & 0xFF)).op((int) (v >>> 8));
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            le32(v);
        } else {
            byte[] be = java.math.BigInteger.valueOf(v).toByteArray();
            op(0x8A).op(be.length);
            for (int i = be.length - 1; i >= 0; i--) {
                op(be[i] & 0xFF);
            }
        }
    }

    private void saveString(String s) {
        if (get("s:" + s)) {
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        le32(utf8.length);
        bytes(utf8);
        remember("s:" + s);
    }

    void global(String module, String name) {
        if (get("g:" + module + "." + name)) {
            return;
        }
        op('c');
        bytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        remember("g:" + module + "." + name);
    }

    private void saveTuple(List<Object> items) {
        if (items.isEmpty()) {
            op(')');
            return;
        }
        if (items.size() <= 3) {
            for (Object i : items) {
                save(i);
            }
            op(0x85 + items.size() - 1);
        } else {
            op('(');
            for (Object i : items) {
                save(i);
            }
            op('t');
        }
        put();
    }

    /** CPython emits one item as APPEND/SETITEM and several between MARK and APPENDS/SETITEMS. */
    private void batch(List<Object> items, int one, int many) {
        if (items.size() == 1) {
            save(items.get(0));
            op(one);
        } else if (items.size() > 1) {
            op('(');
            for (Object i : items) {
                save(i);
            }
            op(many);
        }
    }

    private void setItems(Map<?, ?> m) {
        if (m.size() == 1) {
            Map.Entry<?, ?> e = m.entrySet().iterator().next();
            save(e.getKey());
            save(e.getValue());
            op('s');
        } else if (m.size() > 1) {
            op('(');
            for (Map.Entry<?, ?> e : m.entrySet()) {
                save(e.getKey());
                save(e.getValue());
            }
            op('u');
        }
    }

    private void saveOrderedDict(OrderedDict d) {
        global("collections", "OrderedDict");
        op(')');
        op('R');
        put();
        setItems(d.items());
        if (d.withMetadata()) {
            Map<String, Object> meta = new java.util.LinkedHashMap<>();
            meta.put("", Map.of("version", 1));
            save(Map.of("_metadata", new OrderedDict(meta, false)));
            op('b');
        }
    }

    private void emptyOrderedDict() {
        global("collections", "OrderedDict");
        op(')');
        op('R');
        put();
    }

    private void saveTensor(Tensor t) {
        if (t.parameter()) {
            global("torch._utils", "_rebuild_parameter");
        }
        global("torch._utils", "_rebuild_tensor_v2");
        saveRebuildArgs(t);
        op('R');
        put();
        if (t.parameter()) {
            op(0x88);
            emptyOrderedDict();
            op(0x87);
            put();
            op('R');
            put();
        }
    }

    private void saveTypedTensor(TypedTensor t) {
        global("torch._tensor", "_rebuild_from_type_v2");
        op('(');
        global("torch._utils", "_rebuild_tensor_v2");
        global(t.typeModule(), t.typeName());
        saveRebuildArgs(t.tensor());
        save(t.state());
        op('t');
        put();
        op('R');
        put();
    }

    /** The argument tuple of {@code _rebuild_tensor_v2}. */
    private void saveRebuildArgs(Tensor t) {
        op('(');
        // persistent id ('storage', storage_type, key, location, numel)
        op('(');
        saveString("storage");
        global("torch", t.dtype().torchStorageName());
        saveString(t.key());
        saveString("cpu");
        saveInt(t.storageNumel());
        op('t');
        put();
        op('Q');
        saveInt(t.offset());
        saveTuple(boxed(t.size()));
        saveTuple(boxed(t.stride()));
        op(0x89);
        emptyOrderedDict();
        op('t');
        put();
    }

    private static List<Object> boxed(long[] v) {
        List<Object> l = new java.util.ArrayList<>();
        for (long x : v) {
            l.add(x);
        }
        return l;
    }
}

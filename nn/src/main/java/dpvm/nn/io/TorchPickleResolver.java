package dpvm.nn.io;

import dpvm.nn.io.PickleValues.PyGlobal;
import dpvm.nn.io.PickleValues.PyTuple;
import dpvm.nn.io.PickleValues.StorageRef;
import dpvm.nn.io.PickleValues.TensorRef;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The allow-list for {@code torch.save} state dicts. Only tensor reconstruction, parameters,
 * OrderedDict and the typed storage classes are accepted; each is interpreted here in Java, so
 * an accepted name still never reaches any real Python callable.
 */
final class TorchPickleResolver implements PickleResolver {

    static final int MAX_RANK = 64;
    private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");

    private static final PyGlobal REBUILD_TENSOR_V2 = new PyGlobal("torch._utils", "_rebuild_tensor_v2");
    private static final PyGlobal REBUILD_PARAMETER = new PyGlobal("torch._utils", "_rebuild_parameter");
    private static final PyGlobal ORDERED_DICT = new PyGlobal("collections", "OrderedDict");
    /** Used by torch for tensors that carry Python attributes; only its tensor form is accepted. */
    private static final PyGlobal REBUILD_FROM_TYPE_V2 = new PyGlobal("torch._tensor", "_rebuild_from_type_v2");
    /** Only ever accepted as the type argument of {@link #REBUILD_FROM_TYPE_V2}; calling it is refused. */
    private static final PyGlobal TENSOR_TYPE = new PyGlobal("torch", "Tensor");

    private final Path file;
    private final Map<String, StorageRef> storages = new HashMap<>();

    TorchPickleResolver(Path file) {
        this.file = file;
    }

    @Override
    public Object global(String module, String name) {
        PyGlobal g = new PyGlobal(module, name);
        if (g.equals(REBUILD_TENSOR_V2) || g.equals(REBUILD_PARAMETER) || g.equals(ORDERED_DICT)
                || g.equals(REBUILD_FROM_TYPE_V2) || g.equals(TENSOR_TYPE)) {
            return g;
        }
        if (module.equals("torch") && StoredDType.fromTorchStorageName(name).isPresent()) {
            return g;
        }
        if (module.equals("torch.storage") && name.equals("_load_from_bytes")) {
            throw new UnsafeWeightFileException(file, "pickle names forbidden global torch.storage._load_from_bytes"
                    + " (it would unpickle nested bytes with the unrestricted pickle module)");
        }
        throw new UnsafeWeightFileException(file, "pickle names forbidden global " + printable(module) + "."
                + printable(name) + "; only tensor state dicts can be loaded");
    }

    @Override
    public Object persistentLoad(Object pid) {
        if (!(pid instanceof PyTuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw bad("persistent id is not ('storage', type, key, location, numel)");
        }
        if (!(t.get(1) instanceof PyGlobal type) || !type.module().equals("torch")) {
            throw bad("persistent id names no torch storage type");
        }
        StoredDType dtype = StoredDType.fromTorchStorageName(type.name())
                .orElseThrow(() -> bad("unknown storage type " + type));
        if (!(t.get(2) instanceof String key) || !STORAGE_KEY.matcher(key).matches()) {
            throw bad("storage key is not a short alphanumeric string");
        }
        if (!(t.get(3) instanceof String location)) {
            throw bad("storage location is not a string");
        }
        long numel = nonNegative(t.get(4), "storage size");
        StorageRef ref = new StorageRef(dtype, key, location, numel);
        StorageRef seen = storages.putIfAbsent(key, ref);
        if (seen != null && (seen.dtype() != dtype || seen.numel() != numel)) {
            throw bad("storage " + key + " is declared twice with different type or size");
        }
        return seen != null ? seen : ref;
    }

    @Override
    public Object call(Object callable, PyTuple args) {
        if (REBUILD_TENSOR_V2.equals(callable)) {
            return rebuildTensor(args);
        }
        if (REBUILD_PARAMETER.equals(callable)) {
            // (data, requires_grad, backward_hooks): for loading, a parameter is its data.
            if (args.size() < 1 || !(args.get(0) instanceof TensorRef data)) {
                throw bad("_rebuild_parameter without a tensor");
            }
            return data;
        }
        if (ORDERED_DICT.equals(callable)) {
            return orderedDict(args);
        }
        if (REBUILD_FROM_TYPE_V2.equals(callable)) {
            return rebuildFromType(args);
        }
        throw new UnsafeWeightFileException(file, "pickle calls " + describe(callable) + ", which is not allowed");
    }

    @Override
    public Object newObject(Object cls, PyTuple args) {
        if (ORDERED_DICT.equals(cls)) {
            return new LinkedHashMap<Object, Object>();
        }
        throw new UnsafeWeightFileException(file, "pickle instantiates " + describe(cls) + ", which is not allowed");
    }

    @Override
    public void build(Object target, Object state) {
        // A state dict's OrderedDict carries a `_metadata` attribute and tensors may carry
        // attributes too; none of it matters for loading weights, so it is dropped.
        if (target instanceof LinkedHashMap<?, ?> || target instanceof TensorRef) {
            return;
        }
        throw bad("BUILD on type " + RestrictedUnpickler.typeName(target) + " is not allowed");
    }

    private Object orderedDict(PyTuple args) {
        Map<Object, Object> d = new LinkedHashMap<>();
        if (args.size() == 0) {
            return d;
        }
        if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
            for (Object p : pairs) {
                if (!(p instanceof PyTuple kv) || kv.size() != 2 || !(kv.get(0) instanceof String)) {
                    throw bad("OrderedDict items must be (str, value) pairs");
                }
                d.put(kv.get(0), kv.get(1));
            }
            return d;
        }
        throw bad("OrderedDict called with unexpected arguments");
    }

    /**
     * {@code _rebuild_from_type_v2(func, new_type, args, state)}: func must be the tensor rebuild
     * and new_type plain {@code torch.Tensor}; the Python attributes in state are dropped.
     */
    private TensorRef rebuildFromType(PyTuple args) {
        if (args.size() != 4) {
            throw bad("_rebuild_from_type_v2 called with " + args.size() + " arguments");
        }
        if (!REBUILD_TENSOR_V2.equals(args.get(0))) {
            throw new UnsafeWeightFileException(file, "_rebuild_from_type_v2 asked to call "
                    + describe(args.get(0)) + ", only _rebuild_tensor_v2 is allowed");
        }
        if (!TENSOR_TYPE.equals(args.get(1))) {
            throw new UnsafeWeightFileException(file, "_rebuild_from_type_v2 asked for tensor subclass "
                    + describe(args.get(1)) + ", only torch.Tensor is allowed");
        }
        if (!(args.get(2) instanceof PyTuple inner)) {
            throw bad("_rebuild_from_type_v2 arguments are not a tuple");
        }
        return rebuildTensor(inner);
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private TensorRef rebuildTensor(PyTuple args) {
        if (args.size() < 4 || args.size() > 7) {
            throw bad("_rebuild_tensor_v2 called with " + args.size() + " arguments");
        }
        if (!(args.get(0) instanceof StorageRef storage)) {
            throw bad("_rebuild_tensor_v2 without a storage");
        }
        long offset = nonNegative(args.get(1), "storage offset");
        long[] shape = longs(args.get(2), "size");
        long[] stride = longs(args.get(3), "stride");
        if (shape.length != stride.length) {
            throw bad("tensor has " + shape.length + " sizes but " + stride.length + " strides");
        }
        checkFitsStorage(storage, offset, shape, stride);
        return new TensorRef(storage, offset, shape, stride);
    }

    /** The last element the view touches must lie inside the storage, computed without overflow. */
    private void checkFitsStorage(StorageRef storage, long offset, long[] shape, long[] stride) {
        long numel;
        try {
            numel = Shapes.numel(shape);
        } catch (IllegalArgumentException e) {
            throw bad("tensor size " + Shapes.toString(shape) + ": " + e.getMessage());
        }
        if (numel == 0) {
            return;
        }
        long last = offset;
        try {
            for (int i = 0; i < shape.length; i++) {
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
            }
        } catch (ArithmeticException e) {
            throw bad("tensor strides overflow");
        }
        if (last >= storage.numel()) {
            throw bad("tensor of size " + Shapes.toString(shape) + ", stride " + Shapes.toString(stride)
                    + " at offset " + offset + " reaches element " + last + " of storage " + storage.key()
                    + " which has " + storage.numel());
        }
    }

    private long[] longs(Object o, String what) {
        if (!(o instanceof PyTuple t)) {
            throw bad("tensor " + what + " is not a tuple");
        }
        if (t.size() > MAX_RANK) {
            throw bad("tensor " + what + " has " + t.size() + " dimensions");
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegative(t.get(i), "tensor " + what);
        }
        return out;
    }

    private long nonNegative(Object o, String what) {
        if (o instanceof BigInteger) {
            throw bad(what + " is out of range");
        }
        if (!(o instanceof Long v)) {
            throw bad(what + " has type " + RestrictedUnpickler.typeName(o) + ", not int");
        }
        if (v < 0) {
            throw bad(what + " is negative (" + v + ")");
        }
        return v;
    }

    private static String describe(Object callable) {
        return callable instanceof PyGlobal g ? g.qualifiedName() : "a value of type " + RestrictedUnpickler.typeName(callable);
    }

    /** Names come from the file; keep them readable and bounded in messages. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return sb.toString();
    }

    private WeightFileException bad(String what) {
        return new WeightFileException(file, what);
    }
}

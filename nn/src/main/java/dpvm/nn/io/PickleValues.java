package dpvm.nn.io;

import java.util.List;

/**
 * The Python values a restricted unpickle can produce besides Java scalars, strings, lists
 * ({@code ArrayList}) and dicts ({@code LinkedHashMap}). Python None is Java null.
 */
final class PickleValues {
    private PickleValues() {
    }

    /** An immutable Python tuple; usable as a dict key when its items are. */
    record PyTuple(List<Object> items) {
        PyTuple {
            items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
        }

        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }

        @Override
        public String toString() {
            return "tuple of " + items.size();
        }
    }

    /** A global the allow-list admitted; it is only a name, never a loaded class. */
    record PyGlobal(String module, String name) {
        String qualifiedName() {
            return module + "." + name;
        }

        @Override
        public String toString() {
            return qualifiedName();
        }
    }

    /** A storage named by a persistent id: zip entry {@code data/<key>} holding {@code numel} elements. */
    record StorageRef(StoredDType dtype, String key, String location, long numel) {
    }

    /** A tensor view onto a storage, as {@code torch._utils._rebuild_tensor_v2} describes it. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {
    }
}

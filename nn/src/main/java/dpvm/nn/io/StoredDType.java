package dpvm.nn.io;

import java.util.Optional;

/** Element types a stored tensor can have, with the names the two on-disk formats use for them. */
public enum StoredDType {
    F64(8, "F64", "DoubleStorage"),
    F32(4, "F32", "FloatStorage"),
    F16(2, "F16", "HalfStorage"),
    BF16(2, "BF16", "BFloat16Storage"),
    I64(8, "I64", "LongStorage"),
    I32(4, "I32", "IntStorage"),
    I16(2, "I16", "ShortStorage"),
    I8(1, "I8", "CharStorage"),
    U8(1, "U8", "ByteStorage"),
    BOOL(1, "BOOL", "BoolStorage");

    private final int byteSize;
    private final String safetensorsName;
    private final String torchStorageName;

    StoredDType(int byteSize, String safetensorsName, String torchStorageName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
        this.torchStorageName = torchStorageName;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The {@code dtype} string of a safetensors header. */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** The class name in module {@code torch} that a pickled storage of this type refers to. */
    public String torchStorageName() {
        return torchStorageName;
    }

    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    public static Optional<StoredDType> fromSafetensorsName(String name) {
        for (StoredDType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public static Optional<StoredDType> fromTorchStorageName(String name) {
        for (StoredDType t : values()) {
            if (t.torchStorageName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}

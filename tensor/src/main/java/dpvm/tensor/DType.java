package dpvm.tensor;

/**
 * Element types. float32 is the default; float64 exists for gradient checks; integers hold indices and labels.
 * bfloat16 is a storage format: every op reads it as float32, computes in float32 and rounds its result to
 * bfloat16 once (round to nearest even, {@link BFloat16}); matmul and the elementwise ops have bfloat16
 * kernels, the other ops run on a float32 copy (see {@link Ops}).
 */
public enum DType {
    FLOAT32(4, true),
    FLOAT64(8, true),
    INT32(4, false),
    INT64(8, false),
    BFLOAT16(2, true);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloating() {
        return floating;
    }

    @Override
    public String toString() {
        return name().toLowerCase();
    }
}

package dpvm.tensor;

/** Element types. float32 is the default; float64 exists for gradient checks; integers hold indices and labels. */
public enum DType {
    FLOAT32(4, true),
    FLOAT64(8, true),
    INT32(4, false),
    INT64(8, false);

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

package dpvm.nn.io;

/**
 * Gathers a strided view of a storage into fresh row-major bytes. Works on whole elements of
 * {@code elementSize} bytes and copies the innermost dimension as one run when it is dense.
 */
final class StridedCopy {
    private StridedCopy() {
    }

    /** True when the view is exactly row-major dense; size-1 dimensions may carry any stride. */
    static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** True when the view is the whole storage in order, so the storage bytes can be used as they are. */
    static boolean coversWholeStorage(long storageNumel, long offset, long[] shape, long[] stride) {
        return offset == 0 && Shapes.numel(shape) == storageNumel && isContiguous(shape, stride);
    }

    /**
     * Caller guarantees that every index the view reaches lies inside {@code storage} and that
     * the result fits in an array.
     */
    static byte[] gather(byte[] storage, int elementSize, long offset, long[] shape, long[] stride, int numel) {
        byte[] out = new byte[numel * elementSize];
        if (numel == 0) {
            return out;
        }
        if (shape.length == 0 || isContiguous(shape, stride)) {
            System.arraycopy(storage, (int) (offset * elementSize), out, 0, out.length);
            return out;
        }
        int rank = shape.length;
        int inner = (int) shape[rank - 1];
        long innerStride = stride[rank - 1];
        long[] index = new long[rank - 1];
        long base = offset;
        int o = 0;
        int rows = numel / inner;
        for (int r = 0; r < rows; r++) {
            if (innerStride == 1) {
                int len = inner * elementSize;
                System.arraycopy(storage, (int) (base * elementSize), out, o, len);
                o += len;
            } else {
                long src = base;
                for (int j = 0; j < inner; j++) {
                    System.arraycopy(storage, (int) (src * elementSize), out, o, elementSize);
                    o += elementSize;
                    src += innerStride;
                }
            }
            // Odometer over the outer dimensions, keeping the start element in step.
            for (int d = rank - 2; d >= 0; d--) {
                index[d]++;
                base += stride[d];
                if (index[d] < shape[d]) {
                    break;
                }
                base -= stride[d] * shape[d];
                index[d] = 0;
            }
        }
        return out;
    }
}

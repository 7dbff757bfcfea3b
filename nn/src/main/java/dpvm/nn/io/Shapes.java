package dpvm.nn.io;

/** Shape arithmetic that refuses negative extents and overflow instead of wrapping around. */
final class Shapes {
    private Shapes() {
    }

    /**
     * Element count of {@code shape}.
     *
     * @throws IllegalArgumentException on a negative extent or a product beyond {@code long}
     */
    static long numel(long[] shape) {
        long n = 1;
        boolean zero = false;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d);
            }
            if (d == 0) {
                zero = true;
            }
        }
        if (zero) {
            // An empty tensor is legal whatever its other extents; their product must not be taken.
            return 0;
        }
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("element count overflows", e);
            }
        }
        return n;
    }

    /** Byte size of {@code shape} elements of {@code type}, or -1 if it overflows {@code long}. */
    static long byteSize(long[] shape, StoredDType type) {
        long n = numel(shape);
        try {
            return Math.multiplyExact(n, type.byteSize());
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    static String toString(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        return sb.append(']').toString();
    }
}

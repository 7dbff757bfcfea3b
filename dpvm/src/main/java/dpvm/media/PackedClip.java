package dpvm.media;

import java.util.Arrays;

/** A dense float array with its shape, row-major: the hand-off to whoever builds tensors. */
public record PackedClip(float[] data, int[] shape) {
    public PackedClip {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != data.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
    }

    @Override
    public String toString() {
        return "PackedClip" + Arrays.toString(shape);
    }
}

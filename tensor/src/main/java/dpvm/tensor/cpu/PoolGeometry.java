package dpvm.tensor.cpu;

import dpvm.tensor.Shape;

import java.util.Arrays;

/**
 * Shape of max or average pooling over {@code planes} (N*C) independent planes of (D, H, W); 2-d pooling uses
 * D = 1 with kernel 1. Output size follows PyTorch, including ceil mode, where the last window must start inside
 * the input or the left padding.
 */
public record PoolGeometry(int planes, int[] inSize, int[] kernel, int[] stride, int[] padding, int[] dilation,
                           boolean ceilMode) {

    public PoolGeometry {
        inSize = ConvGeometry.spatial("inSize", inSize, 1);
        kernel = ConvGeometry.spatial("kernel", kernel, 1);
        stride = ConvGeometry.spatial("stride", stride, 1);
        padding = ConvGeometry.spatial("padding", padding, 0);
        dilation = ConvGeometry.spatial("dilation", dilation, 1);
        if (planes < 0) throw new IllegalArgumentException("planes " + planes + " is negative");
        for (int d = 0; d < 3; d++) {
            // PyTorch's rule: a window may never lie wholly in padding.
            if (2 * padding[d] > kernel[d]) {
                throw new IllegalArgumentException("padding " + padding[d] + " in dim " + d
                        + " exceeds half the kernel " + kernel[d]);
            }
            if (outExtent(d, inSize, kernel, stride, padding, dilation, ceilMode) < 1) {
                throw new IllegalArgumentException("non-positive output size in dim " + d + ": in=" + inSize[d]
                        + " kernel=" + kernel[d] + " stride=" + stride[d] + " padding=" + padding[d]
                        + " dilation=" + dilation[d]);
            }
        }
    }

    private static int outExtent(int d, int[] in, int[] k, int[] s, int[] p, int[] dil, boolean ceil) {
        long span = in[d] + 2L * p[d] - (long) dil[d] * (k[d] - 1) - 1 + (ceil ? s[d] - 1 : 0);
        long out = Math.floorDiv(span, s[d]) + 1;
        if (ceil && (out - 1) * s[d] >= in[d] + p[d]) out--;
        return (int) Math.max(0, out);
    }

    /** The 3-d geometry of pooling an {@code [N, C, spatial...]} input (1 to 3 spatial dims). */
    public static PoolGeometry of(int[] xShape, dpvm.tensor.Backend.PoolSpec spec) {
        return new PoolGeometry(xShape[0] * xShape[1], Shape.to3(Shape.spatial(xShape), 1), Shape.to3(spec.kernel(), 1),
                Shape.to3(spec.stride(), 1), Shape.to3(spec.padding(), 0), Shape.to3(spec.dilation(), 1), spec.ceilMode());
    }

    public int[] outSize() {
        int[] o = new int[3];
        for (int d = 0; d < 3; d++) o[d] = outExtent(d, inSize, kernel, stride, padding, dilation, ceilMode);
        return o;
    }

    @Override
    public int[] inSize() {
        return inSize.clone();
    }

    @Override
    public int[] kernel() {
        return kernel.clone();
    }

    @Override
    public int[] stride() {
        return stride.clone();
    }

    @Override
    public int[] padding() {
        return padding.clone();
    }

    @Override
    public int[] dilation() {
        return dilation.clone();
    }

    int inPlane() {
        return inSize[0] * inSize[1] * inSize[2];
    }

    int outPlane() {
        int[] o = outSize();
        return o[0] * o[1] * o[2];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolGeometry g && planes == g.planes && ceilMode == g.ceilMode
                && Arrays.equals(inSize, g.inSize) && Arrays.equals(kernel, g.kernel)
                && Arrays.equals(stride, g.stride) && Arrays.equals(padding, g.padding)
                && Arrays.equals(dilation, g.dilation);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {planes, inSize, kernel, stride, padding, dilation, ceilMode});
    }

    @Override
    public String toString() {
        return "PoolGeometry[planes=" + planes + " in=" + Arrays.toString(inSize) + " k=" + Arrays.toString(kernel)
                + " s=" + Arrays.toString(stride) + " p=" + Arrays.toString(padding) + " d="
                + Arrays.toString(dilation) + (ceilMode ? " ceil" : "") + "]";
    }
}

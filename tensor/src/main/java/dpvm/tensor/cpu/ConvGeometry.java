package dpvm.tensor.cpu;

import dpvm.tensor.Shape;

import java.util.Arrays;

/**
 * Shape of an N-d convolution: x {@code [batch, inChannels, D, H, W]}, w {@code [outChannels, inChannels/groups,
 * kD, kH, kW]}, y {@code [batch, outChannels, oD, oH, oW]}. Spatial arrays are (D, H, W); 1-d and 2-d
 * convolutions use leading size-1 dimensions with kernel 1, stride 1, padding 0, dilation 1.
 */
public record ConvGeometry(int batch, int inChannels, int outChannels, int groups, int[] inSize, int[] kernel,
                           int[] stride, int[] padding, int[] dilation) {

    public ConvGeometry {
        inSize = spatial("inSize", inSize, 1);
        kernel = spatial("kernel", kernel, 1);
        stride = spatial("stride", stride, 1);
        padding = spatial("padding", padding, 0);
        dilation = spatial("dilation", dilation, 1);
        if (batch < 0) throw new IllegalArgumentException("batch " + batch + " is negative");
        if (inChannels < 1 || outChannels < 1 || groups < 1) {
            throw new IllegalArgumentException("channels and groups must be positive: in=" + inChannels + " out="
                    + outChannels + " groups=" + groups);
        }
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("groups=" + groups + " must divide inChannels=" + inChannels
                    + " and outChannels=" + outChannels);
        }
        for (int d = 0; d < 3; d++) {
            if (outExtent(inSize[d], kernel[d], stride[d], padding[d], dilation[d]) < 1) {
                throw new IllegalArgumentException("non-positive output size in dim " + d + ": in=" + inSize[d]
                        + " kernel=" + kernel[d] + " stride=" + stride[d] + " padding=" + padding[d] + " dilation="
                        + dilation[d]);
            }
        }
    }

    /** Copies a length-3 array after checking every entry is at least {@code min}. */
    static int[] spatial(String name, int[] v, int min) {
        if (v == null || v.length != 3) {
            throw new IllegalArgumentException(name + " must have 3 entries (D, H, W), got "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
        for (int x : v) {
            if (x < min) throw new IllegalArgumentException(name + " entries must be >= " + min + ": "
                    + Arrays.toString(v));
        }
        return v.clone();
    }

    private static int outExtent(int in, int k, int s, int p, int d) {
        long span = in + 2L * p - (long) d * (k - 1) - 1;
        return span < 0 ? 0 : (int) (span / s + 1);
    }

    /** The 3-d geometry of a convolution of an {@code [N, C, spatial...]} input (1 to 3 spatial dims) and weight. */
    public static ConvGeometry of(int[] xShape, int[] wShape, dpvm.tensor.Backend.ConvSpec spec) {
        return new ConvGeometry(xShape[0], xShape[1], wShape[0], spec.groups(), Shape.to3(Shape.spatial(xShape), 1),
                Shape.to3(Shape.spatial(wShape), 1), Shape.to3(spec.stride(), 1), Shape.to3(spec.padding(), 0), Shape.to3(spec.dilation(), 1));
    }

    /** Output (oD, oH, oW) by PyTorch's {@code (in + 2p - d*(k-1) - 1) / s + 1}. */
    public int[] outSize() {
        int[] o = new int[3];
        for (int d = 0; d < 3; d++) o[d] = outExtent(inSize[d], kernel[d], stride[d], padding[d], dilation[d]);
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

    int kernelVolume() {
        return kernel[0] * kernel[1] * kernel[2];
    }

    /** Kernel 1 with stride 1 and no padding: the convolution is a plain matrix product per sample and group. */
    boolean pointwise() {
        for (int d = 0; d < 3; d++) {
            if (kernel[d] != 1 || stride[d] != 1 || padding[d] != 0) return false;
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvGeometry g && batch == g.batch && inChannels == g.inChannels
                && outChannels == g.outChannels && groups == g.groups && Arrays.equals(inSize, g.inSize)
                && Arrays.equals(kernel, g.kernel) && Arrays.equals(stride, g.stride)
                && Arrays.equals(padding, g.padding) && Arrays.equals(dilation, g.dilation);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {batch, inChannels, outChannels, groups, inSize, kernel, stride,
                padding, dilation});
    }

    @Override
    public String toString() {
        return "ConvGeometry[N=" + batch + " C=" + inChannels + " O=" + outChannels + " groups=" + groups + " in="
                + Arrays.toString(inSize) + " k=" + Arrays.toString(kernel) + " s=" + Arrays.toString(stride)
                + " p=" + Arrays.toString(padding) + " d=" + Arrays.toString(dilation) + "]";
    }
}

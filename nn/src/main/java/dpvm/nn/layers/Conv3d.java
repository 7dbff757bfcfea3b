package dpvm.nn.layers;

import dpvm.tensor.Rng;

/** torch.nn.Conv3d: input [N, C, 3 spatial dims]. */
public class Conv3d extends ConvNd {
    public Conv3d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias, Rng rng) {
        super(in, out, kernel, stride, padding, dilation, groups, bias, rng);
    }

    public Conv3d(int in, int out, int[] kernel, int[] stride, int[] padding, boolean bias, Rng rng) {
        this(in, out, kernel, stride, padding, rep(1, 3), 1, bias, rng);
    }

    /** Square kernel, stride and padding, no dilation or groups. */
    public Conv3d(int in, int out, int kernel, int stride, int padding, boolean bias, Rng rng) {
        this(in, out, rep(kernel, 3), rep(stride, 3), rep(padding, 3), bias, rng);
    }

    public Conv3d(int in, int out, int kernel, int stride, int padding, boolean bias) {
        this(in, out, kernel, stride, padding, bias, Rng.global());
    }
}

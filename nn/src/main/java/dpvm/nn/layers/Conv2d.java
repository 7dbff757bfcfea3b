package dpvm.nn.layers;

import dpvm.tensor.Rng;

/** torch.nn.Conv2d: input [N, C, 2 spatial dims]. */
public class Conv2d extends ConvNd {
    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias, Rng rng) {
        super(in, out, kernel, stride, padding, dilation, groups, bias, rng);
    }

    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, boolean bias, Rng rng) {
        this(in, out, kernel, stride, padding, rep(1, 2), 1, bias, rng);
    }

    /** Square kernel, stride and padding, no dilation or groups. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias, Rng rng) {
        this(in, out, rep(kernel, 2), rep(stride, 2), rep(padding, 2), bias, rng);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias) {
        this(in, out, kernel, stride, padding, bias, Rng.global());
    }
}

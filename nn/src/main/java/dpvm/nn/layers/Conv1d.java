package dpvm.nn.layers;

import dpvm.tensor.Rng;

/** torch.nn.Conv1d: input [N, C, 1 spatial dims]. */
public class Conv1d extends ConvNd {
    public Conv1d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias, Rng rng) {
        super(in, out, kernel, stride, padding, dilation, groups, bias, rng);
    }

    public Conv1d(int in, int out, int[] kernel, int[] stride, int[] padding, boolean bias, Rng rng) {
        this(in, out, kernel, stride, padding, rep(1, 1), 1, bias, rng);
    }

    /** Square kernel, stride and padding, no dilation or groups. */
    public Conv1d(int in, int out, int kernel, int stride, int padding, boolean bias, Rng rng) {
        this(in, out, rep(kernel, 1), rep(stride, 1), rep(padding, 1), bias, rng);
    }

    public Conv1d(int in, int out, int kernel, int stride, int padding, boolean bias) {
        this(in, out, kernel, stride, padding, bias, Rng.global());
    }
}

package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/** torch.nn.MaxPool2d/3d: padding acts as -infinity; stride defaults to the kernel. */
public class MaxPool extends Module {
    private final int[] kernel, stride, padding, dilation;
    private final boolean ceilMode;

    public MaxPool(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        this.kernel = kernel.clone();
        this.stride = stride == null ? kernel.clone() : stride.clone();
        this.padding = padding.clone();
        this.dilation = ConvNd.rep(1, kernel.length);
        this.ceilMode = ceilMode;
    }

    public static MaxPool of2d(int kernel, int stride, int padding) {
        return new MaxPool(ConvNd.rep(kernel, 2), ConvNd.rep(stride, 2), ConvNd.rep(padding, 2), false);
    }

    public static MaxPool of3d(int kernel, int stride, int padding) {
        return new MaxPool(ConvNd.rep(kernel, 3), ConvNd.rep(stride, 3), ConvNd.rep(padding, 3), false);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.maxPool(x, kernel, stride, padding, dilation, ceilMode);
    }
}

package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/** torch.nn.AvgPool2d/3d; stride defaults to the kernel, padding counts in the divisor unless told otherwise. */
public class AvgPool extends Module {
    private final int[] kernel, stride, padding;
    private final boolean ceilMode, countIncludePad;

    public AvgPool(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        this.kernel = kernel.clone();
        this.stride = stride == null ? kernel.clone() : stride.clone();
        this.padding = padding.clone();
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    public static AvgPool of2d(int kernel, int stride, int padding) {
        return new AvgPool(ConvNd.rep(kernel, 2), ConvNd.rep(stride, 2), ConvNd.rep(padding, 2), false, true);
    }

    public static AvgPool of3d(int[] kernel, int[] stride) {
        return new AvgPool(kernel, stride, ConvNd.rep(0, kernel.length), false, true);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.avgPool(x, kernel, stride, padding, ceilMode, countIncludePad);
    }
}

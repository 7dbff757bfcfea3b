package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/** torch.nn.AdaptiveAvgPool2d/3d: output size fixed, windows from PyTorch's floor/ceil rule. */
public class AdaptiveAvgPool extends Module {
    private final int[] outSize;

    public AdaptiveAvgPool(int... outSize) {
        this.outSize = outSize.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.adaptiveAvgPool(x, outSize);
    }
}

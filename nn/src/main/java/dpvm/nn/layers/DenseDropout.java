package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/** HuggingFace's {@code dense} Linear followed by dropout (the *SelfOutput / *Output shape without a residual). */
public class DenseDropout extends Module {
    private final Linear dense;
    private final Dropout dropout;

    public DenseDropout(int in, int out, double p, Rng rng) {
        dense = registerModule("dense", new Linear(in, out, true, rng));
        dropout = registerModule("dropout", new Dropout(p, rng));
    }

    @Override
    public Tensor forward(Tensor x) {
        return dropout.forward(dense.forward(x));
    }
}

package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Tensor;

/** torch.nn.Flatten: dims startDim..endDim merged (default 1..-1, keeping the batch dim). */
public class Flatten extends Module {
    private final int start, end;

    public Flatten(int startDim, int endDim) {
        this.start = startDim;
        this.end = endDim;
    }

    public Flatten() {
        this(1, -1);
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(start, end);
    }
}

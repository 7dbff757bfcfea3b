package dpvm.bench.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Per-step autograd leaves for libtorch. */
final class Leaves {
    private Leaves() {}

    /**
     * A new leaf sharing {@code param}'s storage, owned by {@code step}, with no gradient yet. Each step's backward
     * then writes fresh gradients (as after PyTorch's zero_grad(set_to_none=True)) instead of adding into the last
     * step's, which is what the engine side does too.
     */
    static NDArray fresh(NDArray param, NDManager step) {
        param.tempAttach(step);
        NDArray leaf = param.stopGradient();
        leaf.setRequiresGradient(true);
        return leaf;
    }
}

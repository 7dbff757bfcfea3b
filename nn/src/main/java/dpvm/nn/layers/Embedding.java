package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Functional;
import dpvm.tensor.Init;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/** torch.nn.Embedding: {@code weight [num, dim]} drawn from N(0, 1); rows picked by integer indices. */
public class Embedding extends Module {
    public Embedding(int num, int dim, Rng rng) {
        int[] shape = {num, dim};
        registerParameter("weight", Inits.init(shape, () -> Init.normal(shape, 0, 1, rng)));
    }

    @Override
    public Tensor forward(Tensor indices) {
        return Functional.embedding(param("weight"), indices);
    }
}

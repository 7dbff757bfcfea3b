package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Init;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * A learned table {@code [1, tokens, dim]} added to a [B, tokens, dim] sequence. The parameter name is the
 * checkpoint's (HuggingFace ViT-style models call it {@code position_embeddings}); a shorter sequence uses the
 * leading rows.
 */
public class PositionEmbedding extends Module {
    private final String name;

    public PositionEmbedding(String name, int tokens, int dim, double std, Rng rng) {
        this.name = name;
        int[] shape = {1, tokens, dim};
        registerParameter(name, Inits.init(shape, () -> std == 0 ? Tensor.zeros(shape) : Init.truncatedNormal(shape, 0, std, -2 * std, 2 * std, rng)));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor table = param(name);
        int n = x.size(1);
        if (n > table.size(1)) throw new IllegalArgumentException("position embedding: " + n + " tokens, table holds " + table.size(1));
        return x.add(n == table.size(1) ? table : table.narrow(1, 0, n));
    }
}

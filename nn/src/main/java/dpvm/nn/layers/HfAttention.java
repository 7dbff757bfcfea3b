package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * HuggingFace's attention block layout: {@code attention.{query,key,value}} then {@code output.dense} with
 * dropout, so keys read {@code attention.attention.query.weight}, {@code attention.output.dense.bias} inside a
 * ViT/ViViT layer. The residual add is the caller's.
 */
public class HfAttention extends Module {
    private final HfSelfAttention attention;
    private final DenseDropout output;

    public HfAttention(int hidden, int heads, boolean qkvBias, double attnDropout, double hiddenDropout, Rng rng) {
        attention = registerModule("attention", new HfSelfAttention(hidden, heads, qkvBias, attnDropout, rng));
        output = registerModule("output", new DenseDropout(hidden, hidden, hiddenDropout, rng));
    }

    @Override
    public Tensor forward(Tensor x) {
        return output.forward(attention.forward(x));
    }
}

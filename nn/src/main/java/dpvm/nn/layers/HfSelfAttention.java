package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * HuggingFace's ViT-family self-attention core with separate {@code query, key, value} Linear layers over
 * batch-first [N, L, E] input (the output projection lives in the caller's {@code output.dense}).
 */
public class HfSelfAttention extends Module {
    public final int heads;
    private final double dropout;
    private final Rng rng;
    private final Linear query, key, value;

    public HfSelfAttention(int hidden, int heads, boolean qkvBias, double dropout, Rng rng) {
        if (hidden % heads != 0) throw new IllegalArgumentException("attention: hidden size " + hidden + " is not divisible by " + heads + " heads");
        this.heads = heads;
        this.dropout = dropout;
        this.rng = rng;
        query = registerModule("query", new Linear(hidden, hidden, qkvBias, rng));
        key = registerModule("key", new Linear(hidden, hidden, qkvBias, rng));
        value = registerModule("value", new Linear(hidden, hidden, qkvBias, rng));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor q = Attention.splitHeads(query.forward(x), heads);
        Tensor k = Attention.splitHeads(key.forward(x), heads);
        Tensor v = Attention.splitHeads(value.forward(x), heads);
        return Attention.mergeHeads(Attention.attend(q, k, v, null, dropout, isTraining(), rng));
    }
}

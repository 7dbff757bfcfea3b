package dpvm.nn.layers;

import dpvm.tensor.Functional;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/** Shared multi-head arithmetic for the PyTorch and HuggingFace attention layouts. */
final class Attention {
    private Attention() {}

    /** [N, L, E] to [N, H, L, E/H]: head h takes features h*d .. (h+1)*d-1, as both frameworks split. */
    static Tensor splitHeads(Tensor x, int heads) {
        int n = x.size(0), l = x.size(1), e = x.size(2);
        return x.reshape(n, l, heads, e / heads).permute(0, 2, 1, 3);
    }

    static Tensor mergeHeads(Tensor x) {
        int n = x.size(0), h = x.size(1), l = x.size(2), d = x.size(3);
        return x.permute(0, 2, 1, 3).reshape(n, l, h * d);
    }

    /**
     * softmax(q k^T / sqrt(d) + mask) v with dropout on the weights in training. {@code mask} is additive and
     * broadcasts to [N, H, Lq, Lk].
     */
    static Tensor attend(Tensor q, Tensor k, Tensor v, Tensor mask, double dropout, boolean training, Rng rng) {
        if (dropout == 0 || !training) return Functional.scaledDotProductAttention(q, k, v, mask);
        Tensor scores = q.matmul(k.mT()).mul(1 / Math.sqrt(q.size(-1)));
        if (mask != null) scores = scores.add(mask);
        return Functional.dropout(scores.softmax(-1), dropout, true, rng).matmul(v);
    }

    /** A 0/1 mask (1 = ignore) as an additive one of -infinity and 0. */
    static Tensor additive(Tensor ignore, Tensor like) {
        Tensor m = ignore.cast(like.dtype());
        return Functional.where(m.gt(m.like(0)), m.like(Double.NEGATIVE_INFINITY), m.like(0));
    }
}

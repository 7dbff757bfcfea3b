package dpvm.nn.loss;

import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/** Row-wise distances between embeddings [N, D] (or any shape, over the last dim). */
public final class Distances {
    private Distances() {}

    /** 1 - cos(a, b) along the last dim, each norm clamped below by eps (PyTorch's cosine_similarity). */
    public static Tensor cosine(Tensor a, Tensor b, double eps) {
        return Functional.cosineSimilarity(a, b, -1, eps).neg().add(1);
    }

    public static Tensor cosine(Tensor a, Tensor b) {
        return cosine(a, b, 1e-8);
    }

    /**
     * torch.nn.functional.pairwise_distance: ||a - b + eps||_p over the last dim. The eps inside the norm keeps
     * the gradient finite for identical rows.
     */
    public static Tensor pairwise(Tensor a, Tensor b, double p, double eps) {
        Tensor d = a.sub(b).add(eps);
        if (p == 2) return Functional.sum(d.mul(d), new int[] {-1}, false).sqrt();
        if (p == 1) return Functional.sum(d.abs(), new int[] {-1}, false);
        if (Double.isInfinite(p)) return d.abs().max(-1, false);
        return Functional.sum(d.abs().pow(p), new int[] {-1}, false).pow(1 / p);
    }
}

package dpvm.nn.loss;

import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/**
 * Hadsell, Chopra and LeCun (2006) contrastive loss on pair distances d [N] and labels y [N] with 1 for a similar
 * pair and 0 for a dissimilar one: y * d^2 / 2 + (1 - y) * max(0, margin - d)^2 / 2. (The paper's label is the
 * opposite, Y = 0 for similar; the common code convention used here has 1 for similar.)
 */
public final class ContrastiveLoss {
    private final double margin;
    private final Reduction reduction;

    public ContrastiveLoss(double margin, Reduction reduction) {
        this.margin = margin;
        this.reduction = reduction;
    }

    public ContrastiveLoss(double margin) {
        this(margin, Reduction.MEAN);
    }

    /** From precomputed distances. */
    public Tensor apply(Tensor distance, Tensor similar) {
        Tensor y = similar.cast(distance.dtype());
        Tensor pull = distance.mul(distance).mul(y);
        Tensor gap = Functional.relu(distance.neg().add(margin));
        Tensor push = gap.mul(gap).mul(y.neg().add(1));
        return reduction.apply(pull.add(push).mul(0.5));
    }

    /** From embeddings [N, D], with Euclidean distance (pairwise_distance, eps 1e-6). */
    public Tensor apply(Tensor a, Tensor b, Tensor similar) {
        return apply(Distances.pairwise(a, b, 2, 1e-6), similar);
    }
}

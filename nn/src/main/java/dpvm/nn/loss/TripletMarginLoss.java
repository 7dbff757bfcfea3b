package dpvm.nn.loss;

import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/**
 * torch.nn.TripletMarginLoss: max(d(a, p) - d(a, n) + margin, 0) with d the pairwise p-norm distance (eps added
 * inside the norm); with {@code swap}, d(a, n) is replaced by d(p, n) where that is smaller.
 */
public final class TripletMarginLoss {
    private final double margin, p, eps;
    private final boolean swap;
    private final Reduction reduction;

    public TripletMarginLoss(double margin, double p, double eps, boolean swap, Reduction reduction) {
        this.margin = margin;
        this.p = p;
        this.eps = eps;
        this.swap = swap;
        this.reduction = reduction;
    }

    /** PyTorch's defaults: margin 1, p 2, eps 1e-6, no swap, mean. */
    public TripletMarginLoss(double margin) {
        this(margin, 2, 1e-6, false, Reduction.MEAN);
    }

    public Tensor apply(Tensor anchor, Tensor positive, Tensor negative) {
        Tensor dPos = Distances.pairwise(anchor, positive, p, eps);
        Tensor dNeg = Distances.pairwise(anchor, negative, p, eps);
        if (swap) dNeg = dNeg.minimum(Distances.pairwise(positive, negative, p, eps));
        return reduction.apply(Functional.relu(dPos.sub(dNeg).add(margin)));
    }
}

package dpvm.nn.loss;

import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/** torch.nn.CrossEntropyLoss over logits [N, C] and integer targets [N]: optional class weights, label smoothing. */
public final class CrossEntropyLoss {
    private final Tensor classWeights;
    private final double labelSmoothing;

    public CrossEntropyLoss(Tensor classWeights, double labelSmoothing) {
        this.classWeights = classWeights;
        this.labelSmoothing = labelSmoothing;
    }

    public CrossEntropyLoss() {
        this(null, 0);
    }

    /** The weighted mean, as PyTorch's default reduction. */
    public Tensor apply(Tensor logits, Tensor targets) {
        return Functional.crossEntropy(logits, targets, classWeights, labelSmoothing);
    }
}

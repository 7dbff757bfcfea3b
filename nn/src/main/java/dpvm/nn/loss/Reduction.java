package dpvm.nn.loss;

import dpvm.tensor.Tensor;

/** PyTorch's reduction argument: per-sample losses, their mean, or their sum. */
public enum Reduction {
    NONE, MEAN, SUM;

    public Tensor apply(Tensor perSample) {
        return switch (this) {
            case NONE -> perSample;
            case MEAN -> perSample.mean();
            case SUM -> perSample.sum();
        };
    }
}

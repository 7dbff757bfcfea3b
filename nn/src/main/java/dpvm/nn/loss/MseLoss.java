package dpvm.nn.loss;

import dpvm.tensor.Tensor;

/** torch.nn.MSELoss: squared differences (target broadcast), reduced. */
public final class MseLoss {
    private final Reduction reduction;

    public MseLoss(Reduction reduction) {
        this.reduction = reduction;
    }

    public MseLoss() {
        this(Reduction.MEAN);
    }

    public Tensor apply(Tensor prediction, Tensor target) {
        Tensor d = prediction.sub(target);
        return reduction.apply(d.mul(d));
    }
}

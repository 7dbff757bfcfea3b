package dpvm.nn.optim;

/** torch.optim.lr_scheduler.StepLR: the rate is multiplied by gamma every {@code stepSize} epochs. */
public final class StepLr extends LrScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLr(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1) throw new IllegalArgumentException("StepLR: step size must be positive, got " + stepSize);
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    protected double next(int epoch, double previous) {
        return epoch % stepSize == 0 ? previous * gamma : previous;
    }
}

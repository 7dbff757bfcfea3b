package dpvm.nn.optim;

/**
 * Wraps a schedule with a linear warm-up: at epoch e the optimiser gets inner(e) * f(e), where f rises linearly
 * from {@code startFactor} at epoch 0 to 1 at epoch {@code warmup} and stays 1 after. The inner schedule runs on
 * its own clock from epoch 0, so the warm-up only scales it.
 */
public final class LinearWarmup extends LrScheduler {
    private final LrScheduler inner;
    private final int warmup;
    private final double startFactor;

    public LinearWarmup(LrScheduler inner, int warmup, double startFactor) {
        super(inner.optimizer);
        if (warmup < 1 || startFactor < 0 || startFactor > 1) throw new IllegalArgumentException("warm-up: bad length " + warmup + " or start factor " + startFactor);
        this.inner = inner;
        this.warmup = warmup;
        this.startFactor = startFactor;
        restart(inner.lastLr() * factor(0));
    }

    public double factor(int e) {
        return e >= warmup ? 1 : startFactor + (1 - startFactor) * e / warmup;
    }

    @Override
    protected double next(int epoch, double previous) {
        inner.advance();
        return inner.lastLr() * factor(epoch);
    }
}

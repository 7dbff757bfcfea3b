package dpvm.nn.optim;

/**
 * An epoch-indexed learning-rate schedule driving one optimiser, with PyTorch's protocol: construction sets the
 * epoch-0 rate, each {@link #step} advances one epoch. Subclasses give the recursive ("chainable") form PyTorch
 * computes, so the rates round the same way.
 */
public abstract class LrScheduler {
    protected final Optimizer optimizer;
    protected final double baseLr;
    private int epoch;
    private double value;

    protected LrScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.learningRate();
        this.value = initial();
        optimizer.setLearningRate(value);
    }

    /** The rate at epoch 0. */
    protected double initial() {
        return baseLr;
    }

    /** The rate at {@code epoch} from the one before. */
    protected abstract double next(int epoch, double previous);

    public void step() {
        advance();
        optimizer.setLearningRate(value);
    }

    /** Moves the schedule on without touching the optimiser (for wrappers). */
    void advance() {
        epoch++;
        value = next(epoch, value);
    }

    /** For wrappers whose epoch-0 rate depends on state set after this constructor ran. */
    protected void restart(double epochZeroRate) {
        value = epochZeroRate;
        optimizer.setLearningRate(value);
    }

    public int epoch() {
        return epoch;
    }

    /** This schedule's current rate. */
    public double lastLr() {
        return value;
    }
}

package dpvm.nn.optim;

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR in PyTorch's recursive form, which follows
 * eta_min + (base - eta_min)(1 + cos(pi t / T_max))/2 and keeps going (back up) after T_max.
 */
public final class CosineAnnealingLr extends LrScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLr(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax < 1) throw new IllegalArgumentException("CosineAnnealingLR: T_max must be positive, got " + tMax);
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    @Override
    protected double next(int t, double previous) {
        if ((t - 1 - tMax) % (2 * tMax) == 0) return previous + (baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        return (1 + Math.cos(Math.PI * t / tMax)) / (1 + Math.cos(Math.PI * (t - 1) / tMax)) * (previous - etaMin) + etaMin;
    }

    /** The closed form, for checks. */
    public static double closedForm(double base, double etaMin, int tMax, int t) {
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
    }
}

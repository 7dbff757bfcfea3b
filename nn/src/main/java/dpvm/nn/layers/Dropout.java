package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Functional;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/** Inverted dropout in training mode, identity in eval mode; masks come from the given generator. */
public class Dropout extends Module {
    public final double p;
    private final Rng rng;

    public Dropout(double p, Rng rng) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout probability must be in [0, 1], got " + p);
        this.p = p;
        this.rng = rng;
    }

    public Dropout(double p) {
        this(p, Rng.global());
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.dropout(x, p, isTraining(), rng);
    }
}

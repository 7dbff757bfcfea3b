package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Functional;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/** y = x W^T + b with {@code weight [out, in]} and {@code bias [out]}, initialised as torch.nn.Linear. */
public class Linear extends Module {
    public final int inFeatures, outFeatures;

    public Linear(int in, int out, boolean bias, Rng rng) {
        this.inFeatures = in;
        this.outFeatures = out;
        int[] shape = {out, in};
        registerParameter("weight", Inits.defaultWeight(shape, rng));
        if (bias) registerParameter("bias", Inits.defaultBias(shape, out, rng));
    }

    public Linear(int in, int out, boolean bias) {
        this(in, out, bias, Rng.global());
    }

    public Linear(int in, int out) {
        this(in, out, true);
    }

    public Tensor weight() {
        return param("weight");
    }

    public Tensor bias() {
        return hasParam("bias") ? param("bias") : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.linear(x, weight(), bias());
    }
}

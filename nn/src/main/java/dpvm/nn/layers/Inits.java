package dpvm.nn.layers;

import dpvm.tensor.Init;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/** PyTorch's default parameter initialisations for Linear and Conv layers (reset_parameters). */
public final class Inits {
    private Inits() {}

    /** kaiming_uniform_(a=sqrt(5)), which works out to uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    public static Tensor defaultWeight(int[] shape, Rng rng) {
        return Init.kaimingUniform(shape, Math.sqrt(5), "leaky_relu", true, rng);
    }

    /** uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) where fan_in is the weight's; zero when fan_in is 0. */
    public static Tensor defaultBias(int[] weightShape, int n, Rng rng) {
        int fanIn = Init.fans(weightShape)[0];
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return Init.uniform(new int[] {n}, -bound, bound, rng);
    }
}

package dpvm.nn.layers;

import dpvm.tensor.Init;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

import java.util.function.Supplier;

/** PyTorch's default parameter initialisations for Linear and Conv layers (reset_parameters). */
public final class Inits {
    private static final ThreadLocal<Integer> SHAPES_ONLY = ThreadLocal.withInitial(() -> 0);

    private Inits() {}

    /**
     * Builds a module whose parameters are zero-stride views of one zero, so counting the parameters and listing
     * the keys of a 90M-parameter backbone allocates nothing. Such a module is for inspection only.
     */
    public static <M> M shapesOnly(Supplier<M> build) {
        SHAPES_ONLY.set(SHAPES_ONLY.get() + 1);
        try {
            return build.get();
        } finally {
            SHAPES_ONLY.set(SHAPES_ONLY.get() - 1);
        }
    }

    public static boolean isShapesOnly() {
        return SHAPES_ONLY.get() > 0;
    }

    /** {@code make} itself, or a zero-stride stand-in of the same shape while building shapes only. */
    public static Tensor init(int[] shape, Supplier<Tensor> make) {
        return isShapesOnly() ? Tensor.scalar(0).expand(shape) : make.get();
    }

    /** kaiming_uniform_(a=sqrt(5)), which works out to uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    public static Tensor defaultWeight(int[] shape, Rng rng) {
        return init(shape, () -> Init.kaimingUniform(shape, Math.sqrt(5), "leaky_relu", true, rng));
    }

    /** uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) where fan_in is the weight's; zero when fan_in is 0. */
    public static Tensor defaultBias(int[] weightShape, int n, Rng rng) {
        int fanIn = Init.fans(weightShape)[0];
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return init(new int[] {n}, () -> Init.uniform(new int[] {n}, -bound, bound, rng));
    }
}

package dpvm.nn.parity;

import dpvm.nn.Module;
import dpvm.nn.layers.Activation;
import dpvm.nn.layers.AdaptiveAvgPool;
import dpvm.nn.layers.AvgPool;
import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Conv1d;
import dpvm.nn.layers.Conv2d;
import dpvm.nn.layers.Conv3d;
import dpvm.nn.layers.Embedding;
import dpvm.nn.layers.LayerNorm;
import dpvm.nn.layers.Linear;
import dpvm.nn.layers.MaxPool;
import dpvm.nn.layers.Mlp;
import dpvm.nn.layers.MultiheadAttention;
import dpvm.nn.layers.SqueezeExcitation;
import dpvm.nn.layers.TransformerEncoderLayer;
import dpvm.nn.optim.Adam;
import dpvm.nn.optim.Optimizer;
import dpvm.nn.optim.Sgd;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Replays the layer fixtures of make_nn_fixtures.py: forward, input and parameter gradients, batch-norm running
 * statistics, and three steps of each optimiser the fixture holds. Each case here mirrors the script's case of
 * the same name.
 */
class LayerReplayTest {
    record Case(String name, Supplier<Module> make, boolean train) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Rng RNG = new Rng(0);

    static Stream<Case> cases() {
        int[] one3 = {1, 1, 1};
        return Stream.of(
                new Case("linear", () -> new Linear(4, 3, true, RNG), false),
                new Case("conv1d", () -> new Conv1d(3, 4, new int[] {3}, new int[] {2}, new int[] {1}, true, RNG), false),
                new Case("conv2d_grouped", () -> new Conv2d(4, 6, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 2, false, RNG), false),
                new Case("conv3d", () -> new Conv3d(2, 3, new int[] {3, 3, 3}, new int[] {1, 2, 2}, one3, true, RNG), false),
                new Case("batchnorm2d_train", () -> BatchNorm.of2d(3), true),
                new Case("batchnorm3d_eval", () -> BatchNorm.of3d(2), false),
                new Case("layernorm", () -> new LayerNorm(4, 1e-6), false),
                new Case("act_relu", Activation::relu, false),
                new Case("act_gelu", Activation::gelu, false),
                new Case("act_gelu_tanh", Activation::geluTanh, false),
                new Case("act_silu", Activation::silu, false),
                new Case("act_sigmoid", Activation::sigmoid, false),
                new Case("act_tanh", Activation::tanh, false),
                new Case("maxpool2d", () -> MaxPool.of2d(3, 2, 1), false),
                new Case("maxpool3d", () -> MaxPool.of3d(3, 2, 1), false),
                new Case("avgpool2d", () -> AvgPool.of2d(2, 2, 1), false),
                new Case("avgpool3d", () -> AvgPool.of3d(new int[] {1, 2, 2}, one3), false),
                new Case("adaptive_avgpool2d", () -> new AdaptiveAvgPool(3, 2), false),
                new Case("adaptive_avgpool3d", () -> new AdaptiveAvgPool(1, 2, 2), false),
                new Case("embedding", () -> new Embedding(5, 3, RNG), false),
                new Case("mha", () -> new MultiheadAttention(6, 2, 0, true, true, RNG), false),
                new Case("transformer_post", () -> new TransformerEncoderLayer(8, 2, 16, 0, Activation.Kind.GELU, 1e-5, true, false, RNG), false),
                new Case("transformer_pre", () -> new TransformerEncoderLayer(8, 2, 16, 0, Activation.Kind.GELU, 1e-5, true, true, RNG), false),
                new Case("mlp", () -> new Mlp(3, new int[] {5, 4, 2}, Activation.Kind.RELU, true, 0, RNG), false),
                new Case("se_linear", () -> SqueezeExcitation.senet(32, RNG), false),
                new Case("se_conv", () -> new SqueezeExcitation(8, 2, SqueezeExcitation.Style.CONV, RNG), false));
    }

    private static final Map<String, Function<List<Tensor>, Optimizer>> OPTIMISERS = Map.of(
            "adam", ps -> Adam.of(ps, 1e-2),
            "adamw", ps -> new Adam(ps, 1e-2, 0.9, 0.999, 1e-8, 0.1, true),
            "sgd", ps -> new Sgd(ps, 1e-2, 0.9, 0, 0.01, true));

    private static Module fresh(Case c) {
        Module m = c.make.get();
        ParityWeights.fill(m);
        m.train(c.train);
        return m;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void replay(Case c) {
        Map<String, Tensor> f = Fixtures.load(c.name);
        Tensor input = Fixtures.get(f, "input.0");
        Tensor up = Fixtures.get(f, "upstream");
        Module m = fresh(c);
        Tensor x = input.dtype().isFloating() ? input.detach().requiresGrad(true) : input;
        Tensor y = m.forward(x);
        Fixtures.close(c.name + " output", Fixtures.get(f, "output"), y, Fixtures.LAYER);
        y.mul(up).sum().backward();
        if (f.containsKey("grad.input.0")) Fixtures.close(c.name + " input gradient", f.get("grad.input.0"), x.grad(), Fixtures.LAYER);
        for (var e : m.namedParameters().entrySet()) Fixtures.close(c.name + " gradient of " + e.getKey(), Fixtures.get(f, "grad." + e.getKey()), e.getValue().grad(), Fixtures.LAYER);
        for (var e : m.namedBuffers().entrySet()) {
            if (f.containsKey("after." + e.getKey())) Fixtures.close(c.name + " " + e.getKey() + " after forward", f.get("after." + e.getKey()), e.getValue(), Fixtures.LAYER);
        }
        for (var opt : OPTIMISERS.entrySet()) {
            if (m.parameters().isEmpty() || !f.containsKey(opt.getKey() + ".0." + m.namedParameters().keySet().iterator().next())) continue;
            Module t = fresh(c);
            Optimizer o = opt.getValue().apply(t.parameters());
            for (int k = 0; k < 3; k++) {
                o.zeroGrad();
                t.forward(input.detach()).mul(up).sum().backward();
                o.step();
                for (var e : t.namedParameters().entrySet()) {
                    String what = c.name + " " + opt.getKey() + " step " + k + " " + e.getKey();
                    Tensor expected = Fixtures.get(f, opt.getKey() + "." + k + "." + e.getKey());
                    if (opt.getKey().startsWith("adam")) closeWhereGradientIsSignal(what, expected, e.getValue(), Fixtures.get(f, "grad." + e.getKey()));
                    else Fixtures.close(what, expected, e.getValue(), Fixtures.LAYER);
                }
            }
        }
    }

    /**
     * Adam divides by the gradient's own magnitude, so where the exact gradient is zero (an attention key bias
     * cancels in the softmax) both sides step by +-lr according to rounding noise. Those elements
     * (|g| below 1e-6) are left out.
     */
    private static void closeWhereGradientIsSignal(String what, Tensor expected, Tensor actual, Tensor gradient) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray(), g = gradient.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (Math.abs(g[i]) < 1e-6) continue;
            String m = Fixtures.LAYER.mismatch(new double[] {a[i]}, new double[] {e[i]});
            if (m != null) throw new AssertionError(what + " element " + i + ": " + m);
        }
    }
}

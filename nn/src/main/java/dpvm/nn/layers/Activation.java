package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/** Parameter-free elementwise nonlinearities (torch.nn.ReLU, GELU, SiLU...); they own no state-dict keys. */
public class Activation extends Module {
    public enum Kind {
        RELU, GELU, GELU_TANH, SILU, SIGMOID, TANH, IDENTITY;

        public Tensor apply(Tensor x) {
            return switch (this) {
                case RELU -> Functional.relu(x);
                case GELU -> Functional.gelu(x);
                case GELU_TANH -> Functional.geluTanh(x);
                case SILU -> Functional.silu(x);
                case SIGMOID -> x.sigmoid();
                case TANH -> x.tanh();
                case IDENTITY -> x;
            };
        }

        /** Names as PyTorch and HuggingFace configs spell them ("gelu_fast" and "gelu_new" are the tanh form). */
        public static Kind parse(String name) {
            return switch (name.toLowerCase()) {
                case "relu" -> RELU;
                case "gelu" -> GELU;
                case "gelu_tanh", "gelu_fast", "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
                case "silu", "swish" -> SILU;
                case "sigmoid" -> SIGMOID;
                case "tanh" -> TANH;
                case "identity", "linear" -> IDENTITY;
                default -> throw new IllegalArgumentException("unknown activation '" + name + "'");
            };
        }
    }

    public final Kind kind;

    public Activation(Kind kind) {
        this.kind = kind;
    }

    public static Activation relu() { return new Activation(Kind.RELU); }
    public static Activation gelu() { return new Activation(Kind.GELU); }
    public static Activation geluTanh() { return new Activation(Kind.GELU_TANH); }
    public static Activation silu() { return new Activation(Kind.SILU); }
    public static Activation sigmoid() { return new Activation(Kind.SIGMOID); }
    public static Activation tanh() { return new Activation(Kind.TANH); }
    public static Activation identity() { return new Activation(Kind.IDENTITY); }

    @Override
    public Tensor forward(Tensor x) {
        return kind.apply(x);
    }
}

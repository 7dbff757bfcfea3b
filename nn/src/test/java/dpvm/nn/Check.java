package dpvm.nn;

import dpvm.tensor.Tensor;

import java.util.function.Function;

/** Turns a module into a function of (input, parameters...) for OpCheck, by binding the checked tensors. */
public final class Check {
    private Check() {}

    public static Function<Tensor[], Tensor> functional(Module m, String... paramNames) {
        return x -> {
            m.cast(x[0].dtype());
            for (int i = 0; i < paramNames.length; i++) m.bindParameter(paramNames[i], x[i + 1]);
            return m.forward(x[0]);
        };
    }
}

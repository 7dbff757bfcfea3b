package dpvm.nn.parity;

import dpvm.nn.Module;
import dpvm.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deterministic weights that PyTorch parity fixtures are made with, so fixtures store no weights. Both
 * sides (this class and {@code native-tests/fixtures/make_nn_fixtures.py}) compute, in float64, for element i
 * (row-major) of the state-dict entry named {@code name} with shape {@code shape}:
 *
 * <pre>
 *   s     = sum over k = 0 .. len(name)-1 of (k + 1) * code(name[k])       (code: the character's code point)
 *   phase = (s mod 1009) * 0.01
 *   b(i)  = sin(0.7 * i + phase)
 *   value = b(i) / sqrt(numel / shape[0])   if rank >= 2          (a fan-in scale keeps activations O(1))
 *         = 1 + 0.5 * b(i)                  if name ends with "running_var"
 *         = 1 + 0.1 * b(i)                  if name ends with "weight" (rank 0 or 1: norm scales)
 *         = 0.1 * b(i)                      otherwise (biases, running means, ...)
 *   integer entries (num_batches_tracked) are 0
 * </pre>
 *
 * and rounds the value to float32. {@code name} is the full key without any wrapper prefix such as
 * {@code module.}.
 */
public final class ParityWeights {
    private ParityWeights() {}

    public static double phase(String name) {
        long s = 0;
        for (int k = 0; k < name.length(); k++) s += (long) (k + 1) * name.charAt(k);
        return (s % 1009) * 0.01;
    }

    public static double value(String name, int[] shape, long i) {
        double b = Math.sin(0.7 * i + phase(name));
        if (shape.length >= 2) {
            long numel = 1;
            for (int d : shape) numel *= d;
            return b / Math.sqrt((double) numel / shape[0]);
        }
        if (name.endsWith("running_var")) return 1 + 0.5 * b;
        if (name.endsWith("weight")) return 1 + 0.1 * b;
        return 0.1 * b;
    }

    /** The float32 tensor for one entry. */
    public static Tensor tensor(String name, int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) value(name, shape, i);
        return Tensor.of(v, shape);
    }

    /** Fills every floating entry of the module's state dict by the formula (integer entries are zeroed). */
    public static void fill(Module m) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        for (var e : m.stateDict().entrySet()) {
            Tensor t = e.getValue();
            sd.put(e.getKey(), t.dtype().isFloating() ? tensor(e.getKey(), t.shape()) : Tensor.zeros(t.shape(), t.dtype(), t.device()));
        }
        m.loadStateDict(sd, true);
    }
}

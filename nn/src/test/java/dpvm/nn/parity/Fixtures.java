package dpvm.nn.parity;

import dpvm.nn.io.TensorIO;
import dpvm.tensor.Tensor;
import dpvm.tensor.check.Tolerance;
import org.junit.jupiter.api.Assertions;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a committed PyTorch parity fixture (made by {@link #SCRIPT}) through the project's own safetensors reader.
 * A missing fixture fails the test: the fixtures are part of the suite, not optional extras.
 */
final class Fixtures {
    static final String SCRIPT = "python3 native-tests/fixtures/make_nn_fixtures.py (needs torch, torchvision, transformers, safetensors)";
    static final Tolerance LAYER = new Tolerance("torch-fp32", 1e-4, 1e-5);
    static final Tolerance DEEP = new Tolerance("torch-fp32-deep", 2e-3, 1e-4);

    private Fixtures() {}

    static Map<String, Tensor> load(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name + ".safetensors");
        Assertions.assertNotNull(url, "fixture " + name + ".safetensors is missing: run " + SCRIPT);
        try {
            return TensorIO.load(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException("reading fixture " + name, e);
        }
    }

    static Tensor get(Map<String, Tensor> f, String key) {
        Tensor t = f.get(key);
        if (t == null) throw new AssertionError("fixture lacks " + key + " (has " + f.keySet() + ")");
        return t;
    }

    /** Max absolute difference and relative L2 error, for the test log. */
    static String error(Tensor expected, Tensor actual) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double max = 0, num = 0, den = 0;
        for (int i = 0; i < e.length; i++) {
            max = Math.max(max, Math.abs(a[i] - e[i]));
            num += (a[i] - e[i]) * (a[i] - e[i]);
            den += e[i] * e[i];
        }
        return String.format("max |diff| %.3g, relative L2 %.3g", max, Math.sqrt(num / Math.max(den, 1e-300)));
    }

    static void close(String what, Tensor expected, Tensor actual, Tolerance tol) {
        Assertions.assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        String m = tol.mismatch(actual.toDoubleArray(), expected.toDoubleArray());
        if (m != null) throw new AssertionError(what + ": " + m);
    }
}

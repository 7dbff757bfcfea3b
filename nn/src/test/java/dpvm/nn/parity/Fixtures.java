package dpvm.nn.parity;

import dpvm.tensor.Tensor;
import dpvm.tensor.check.Tolerance;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

/**
 * Locates a PyTorch parity fixture and reads it. A missing fixture skips the test and names the script that makes
 * it. Reading goes through the weight-IO package's safetensors reader ({@code dpvm.nn.io.SafeTensors.read(Path)}
 * returning {@code Map<String, Tensor>}), looked up reflectively because that package merges separately; until
 * it is on the classpath the replay tests skip too. After the merge, replace {@link #reader} with a direct call.
 */
final class Fixtures {
    static final String SCRIPT = "python3 native-tests/fixtures/make_nn_fixtures.py (needs torch, torchvision, transformers, safetensors)";
    static final Tolerance LAYER = new Tolerance("torch-fp32", 1e-4, 1e-5);
    static final Tolerance DEEP = new Tolerance("torch-fp32-deep", 2e-3, 1e-4);

    private Fixtures() {}

    static Map<String, Tensor> load(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name + ".safetensors");
        Assumptions.assumeTrue(url != null, "fixture " + name + ".safetensors is missing: run " + SCRIPT);
        Method read = reader();
        Assumptions.assumeTrue(read != null, "no safetensors reader yet (dpvm.nn.io.SafeTensors.read(Path) merges with the weight-IO work)");
        try {
            @SuppressWarnings("unchecked")
            Map<String, Tensor> m = (Map<String, Tensor>) read.invoke(null, Path.of(url.toURI()));
            return m;
        } catch (ReflectiveOperationException | URISyntaxException e) {
            throw new IllegalStateException("reading fixture " + name, e);
        }
    }

    private static Method reader() {
        try {
            return Class.forName("dpvm.nn.io.SafeTensors").getMethod("read", Path.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return null;
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

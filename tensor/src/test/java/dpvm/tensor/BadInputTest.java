package dpvm.tensor;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mismatches name the op and both shapes; anomaly mode names the first op that made a NaN or infinity. */
class BadInputTest {
    private static void mentions(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
    }

    @Test
    void shapeMismatchesNameOpAndShapes() {
        mentions(assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4))), "add", "[2, 3]", "[4]");
        mentions(assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(2, 3))), "matmul", "[2, 3]");
        mentions(assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).reshape(4, 2)), "reshape", "[4, 2]", "6");
        mentions(assertThrows(ShapeException.class, () -> Functional.conv2d(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(4, 2, 3, 3), null, 1, 0, 1, 1)),
                "conv", "[1, 3, 8, 8]", "[4, 2, 3, 3]");
        mentions(assertThrows(ShapeException.class, () -> Tensor.zeros(2).sum(3, false)), "sum", "dim 3");
        mentions(assertThrows(ShapeException.class, () -> Functional.cat(new Tensor[] {Tensor.zeros(2, 3), Tensor.zeros(3, 3)}, 1)), "cat", "[2, 3]", "[3, 3]");
        mentions(assertThrows(ShapeException.class, () -> Functional.linear(Tensor.zeros(2, 5), Tensor.zeros(3, 4), null)), "linear", "[2, 5]", "[3, 4]");
        mentions(assertThrows(ShapeException.class, () -> Functional.indexSelect(Tensor.zeros(3, 2), 0, Tensor.ofLongs(new long[] {3}, 1))), "index_select", "3");
    }

    @Test
    void dtypeAndDeviceMismatchesNameBoth() {
        Tensor f = Tensor.zeros(2), d = Tensor.of(new double[] {1, 2}, 2);
        mentions(assertThrows(ShapeException.class, () -> f.mul(d)), "mul", "float32", "float64", "[2]");
        mentions(assertThrows(ShapeException.class, () -> Tensor.ofLongs(new long[] {1}, 1).exp()), "exp", "int64");
    }

    @Test
    void deviceWithoutABackendIsNamed() {
        // only where no CUDA backend is on the class path (this module's own run, not the parity suite)
        boolean cudaBackend = java.util.ServiceLoader.load(Backends.Provider.class).stream().anyMatch(p -> p.get().deviceType().equals("cuda"));
        Assumptions.assumeFalse(cudaBackend, "a CUDA backend is on the class path");
        mentions(assertThrows(IllegalStateException.class, () -> Tensor.zeros(1).to(Device.cuda(0))), "cuda", "kernels module");
    }

    @Test
    void anomalyModeNamesTheFirstBadOp() {
        Anomaly.enable(true);
        try {
            Tensor x = Tensor.of(new float[] {-1, 1}, 2);
            mentions(assertThrows(Anomaly.AnomalyException.class, () -> x.log().exp()), "log", "NaN", "index 0");
            Tensor y = Tensor.of(new float[] {0, 1}, 2).requiresGrad(true);
            Tensor s = y.sqrt(); // forward is finite, the gradient at 0 is infinite
            mentions(assertThrows(Anomaly.AnomalyException.class, () -> s.sum().backward()), "backward", "sqrt", "Inf");
        } finally {
            Anomaly.enable(false);
        }
        Tensor.of(new float[] {-1}, 1).log(); // off again: no exception
    }
}

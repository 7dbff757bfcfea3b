package dpvm.kernels.lab;

import dpvm.tensor.Tensor;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One lab kernel at chosen sizes: how to make its inputs (on the CPU, deterministic), the op (the same code runs
 * on the CPU reference and on the GPU), and the work it does, either the minimum bytes it must move (memory-bound:
 * reported in GB/s against the device copy rate) or its floating-point operations and the GEMM of the same shape
 * (compute-bound: TFLOP/s against that cuBLAS GEMM).
 */
public final class Problem {
    final Supplier<Tensor[]> inputs;
    final Function<Tensor[], Tensor[]> op;
    final double bytes, flops;
    final int[] gemm;
    private String[] outputs = {"out"};
    private Supplier<String> note = () -> null;

    private Problem(Supplier<Tensor[]> inputs, Function<Tensor[], Tensor[]> op, double bytes, double flops, int[] gemm) {
        this.inputs = inputs;
        this.op = op;
        this.bytes = bytes;
        this.flops = flops;
        this.gemm = gemm;
    }

    /** A memory-bound op that moves at least {@code bytes}. */
    static Problem memory(double bytes, Supplier<Tensor[]> inputs, Function<Tensor[], Tensor[]> op) {
        return new Problem(inputs, op, bytes, 0, null);
    }

    /** A compute-bound op of {@code flops}, compared with cuBLAS on an [m, k] x [k, n] product. */
    static Problem compute(double flops, int m, int k, int n, Supplier<Tensor[]> inputs, Function<Tensor[], Tensor[]> op) {
        return new Problem(inputs, op, 0, flops, new int[] {m, k, n});
    }

    /** Names of the op's outputs, in order, for check reports. */
    Problem outputs(String... names) {
        outputs = names;
        return this;
    }

    /** A line worth printing after a GPU run (e.g. the cuDNN algorithm chosen), or null. */
    Problem note(Supplier<String> note) {
        this.note = note;
        return this;
    }

    boolean computeBound() {
        return flops > 0;
    }

    String outputName(int i) {
        return i < outputs.length ? outputs[i] : "output " + i;
    }

    String note() {
        return note.get();
    }
}

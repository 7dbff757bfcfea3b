package dpvm.tensor.cpu;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.Unary;
import dpvm.tensor.DType;
import dpvm.tensor.Fused;
import dpvm.tensor.Tensor;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Interprets a fused elementwise program: each run of the strided walk is cut into chunks, and the program's
 * nodes are evaluated one after another over a whole chunk (the op chosen once per chunk, not per element), in
 * double with float32 results rounded after every node, so the values equal the same ops run one by one.
 */
final class CpuFused {
    private static final int CHUNK = 256;
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[0][]);

    private CpuFused() {}

    static void run(Fused program, Tensor[] inputs, Tensor[] outputs, int[] shape) {
        List<Fused.Node> nodes = program.nodes();
        int count = nodes.size(), outs = outputs.length;
        boolean f32 = outputs[0].dtype() == DType.FLOAT32;
        DoubleUnaryOperator[] unary = new DoubleUnaryOperator[count];
        DoubleBinaryOperator[] binary = new DoubleBinaryOperator[count];
        double[] constant = new double[count];
        for (int j = 0; j < count; j++) {
            Fused.Node node = nodes.get(j);
            switch (node.kind()) {
                case UNARY -> unary[j] = CpuElementwise.unaryFn(node.unary());
                case BINARY -> binary[j] = CpuElementwise.binaryFn(node.binary());
                case CONSTANT -> constant[j] = f32 ? (float) node.value() : node.value();
                default -> { }
            }
        }
        Tensor[] operands = new Tensor[outs + inputs.length];
        System.arraycopy(outputs, 0, operands, 0, outs);
        System.arraycopy(inputs, 0, operands, outs, inputs.length);
        CpuStorage[] storage = new CpuStorage[operands.length];
        for (int k = 0; k < operands.length; k++) storage[k] = CpuElementwise.cs(operands[k]);
        StridedLoop.over(shape, operands).run((base, step, n) -> {
            double[][] v = scratch(count);
            for (int c0 = 0; c0 < n; c0 += CHUNK) {
                int m = Math.min(CHUNK, n - c0);
                for (int j = 0; j < count; j++) {
                    Fused.Node node = nodes.get(j);
                    double[] r = v[j];
                    int[] a = node.args();
                    switch (node.kind()) {
                        case INPUT -> load(storage[outs + node.input()], f32, base[outs + node.input()] + c0 * step[outs + node.input()], step[outs + node.input()], r, m);
                        case CONSTANT -> java.util.Arrays.fill(r, 0, m, constant[j]);
                        case UNARY -> unary(node.unary(), unary[j], v[a[0]], r, m);
                        case BINARY -> binary(node.binary(), binary[j], v[a[0]], v[a[1]], r, m);
                        case WHERE -> {
                            double[] c = v[a[0]], x = v[a[1]], y = v[a[2]];
                            for (int e = 0; e < m; e++) r[e] = c[e] != 0 ? x[e] : y[e];
                        }
                    }
                    boolean computed = node.kind() == dpvm.tensor.Expr.Kind.UNARY || node.kind() == dpvm.tensor.Expr.Kind.BINARY;
                    if (f32 && computed) for (int e = 0; e < m; e++) r[e] = (float) r[e];
                }
                for (int k = 0; k < outs; k++) store(storage[k], f32, base[k] + c0 * step[k], step[k], v[program.outputSlot(k)], m);
            }
        });
    }

    /**
     * Cheap ops get plain loops of their own (one shared lambda call site would be megamorphic and several times
     * slower); the rest call fn, whose cost is the function itself. Each loop computes what fn would.
     */
    private static void binary(Binary op, DoubleBinaryOperator fn, double[] x, double[] y, double[] r, int m) {
        switch (op) {
            case ADD -> { for (int e = 0; e < m; e++) r[e] = x[e] + y[e]; }
            case SUB -> { for (int e = 0; e < m; e++) r[e] = x[e] - y[e]; }
            case MUL -> { for (int e = 0; e < m; e++) r[e] = x[e] * y[e]; }
            case DIV -> { for (int e = 0; e < m; e++) r[e] = x[e] / y[e]; }
            case LT -> { for (int e = 0; e < m; e++) r[e] = x[e] < y[e] ? 1 : 0; }
            case LE -> { for (int e = 0; e < m; e++) r[e] = x[e] <= y[e] ? 1 : 0; }
            case GT -> { for (int e = 0; e < m; e++) r[e] = x[e] > y[e] ? 1 : 0; }
            case GE -> { for (int e = 0; e < m; e++) r[e] = x[e] >= y[e] ? 1 : 0; }
            default -> { for (int e = 0; e < m; e++) r[e] = fn.applyAsDouble(x[e], y[e]); }
        }
    }

    private static void unary(Unary op, DoubleUnaryOperator fn, double[] x, double[] r, int m) {
        switch (op) {
            case NEG -> { for (int e = 0; e < m; e++) r[e] = -x[e]; }
            case ABS -> { for (int e = 0; e < m; e++) r[e] = Math.abs(x[e]); }
            case EXP -> { for (int e = 0; e < m; e++) r[e] = Math.exp(x[e]); }
            case SQRT -> { for (int e = 0; e < m; e++) r[e] = Math.sqrt(x[e]); }
            case RSQRT -> { for (int e = 0; e < m; e++) r[e] = 1 / Math.sqrt(x[e]); }
            case TANH -> { for (int e = 0; e < m; e++) r[e] = Math.tanh(x[e]); }
            default -> { for (int e = 0; e < m; e++) r[e] = fn.applyAsDouble(x[e]); }
        }
    }

    private static void load(CpuStorage s, boolean f32, int at, int step, double[] r, int m) {
        if (f32) {
            float[] f = s.f;
            for (int e = 0; e < m; e++, at += step) r[e] = f[at];
        } else {
            double[] d = s.d;
            for (int e = 0; e < m; e++, at += step) r[e] = d[at];
        }
    }

    private static void store(CpuStorage s, boolean f32, int at, int step, double[] r, int m) {
        if (f32) {
            float[] f = s.f;
            for (int e = 0; e < m; e++, at += step) f[at] = (float) r[e];
        } else {
            double[] d = s.d;
            for (int e = 0; e < m; e++, at += step) d[at] = r[e];
        }
    }

    private static double[][] scratch(int count) {
        double[][] v = SCRATCH.get();
        if (v.length < count) {
            v = new double[count][CHUNK];
            SCRATCH.set(v);
        }
        return v;
    }
}

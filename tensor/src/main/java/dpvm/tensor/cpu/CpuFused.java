package dpvm.tensor.cpu;

import dpvm.tensor.DType;
import dpvm.tensor.Expr;
import dpvm.tensor.Fused;
import dpvm.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Interprets a fused elementwise program. Each run of the strided walk is cut into chunks, and the program's
 * nodes are evaluated one after another over a whole chunk (the op chosen once per chunk, not per element).
 * Nodes that read only broadcast inputs and constants, like the per-channel statistics of batch norm, have one
 * value along a run and are evaluated once per run. Float32 programs work on float chunks with the same
 * arithmetic as {@link FloatLoops} (functions in double, rounded once), so the values equal the ops run one by
 * one; float64 programs use the double functions of {@link CpuElementwise} directly.
 */
final class CpuFused {
    private static final int CHUNK = 512;

    private CpuFused() {}

    /** One dtype's chunk evaluator: node values in per-thread scratch rows, loads and stores of operands. */
    private abstract static class Evaluator {
        final List<Fused.Node> nodes;
        final CpuStorage[] storage;
        final int outs;
        final DoubleUnaryOperator[] unary;
        final DoubleBinaryOperator[] binary;

        Evaluator(List<Fused.Node> nodes, CpuStorage[] storage, int outs) {
            this.nodes = nodes;
            this.storage = storage;
            this.outs = outs;
            unary = new DoubleUnaryOperator[nodes.size()];
            binary = new DoubleBinaryOperator[nodes.size()];
            for (int j = 0; j < nodes.size(); j++) {
                Fused.Node n = nodes.get(j);
                if (n.kind() == Expr.Kind.UNARY) unary[j] = CpuElementwise.unaryFn(n.unary());
                if (n.kind() == Expr.Kind.BINARY) binary[j] = CpuElementwise.binaryFn(n.binary());
            }
        }

        /** Prepares this thread's scratch rows; returns the handle passed back to the calls below. */
        abstract Object scratch();

        /** Node j at elements c0 .. c0+m-1 of the run whose operands start at base and step by step. */
        abstract void evaluate(Object scratch, int j, int[] base, int[] step, int c0, int m);

        /** Copies element 0 of node j's row to elements 1 .. width-1. */
        abstract void spread(Object scratch, int j, int width);

        /** Writes node slot's values at c0 .. c0+m-1 to output k. */
        abstract void store(Object scratch, int k, int slot, int[] base, int[] step, int c0, int m);
    }

    static void run(Fused program, Tensor[] inputs, Tensor[] outputs, int[] shape) {
        List<Fused.Node> nodes = program.nodes();
        int count = nodes.size(), outs = outputs.length;
        Tensor[] operands = new Tensor[outs + inputs.length];
        System.arraycopy(outputs, 0, operands, 0, outs);
        System.arraycopy(inputs, 0, operands, outs, inputs.length);
        CpuStorage[] storage = new CpuStorage[operands.length];
        for (int k = 0; k < operands.length; k++) storage[k] = CpuElementwise.cs(operands[k]);
        Evaluator ev = outputs[0].dtype() == DType.FLOAT32 ? new Float32(nodes, storage, outs) : new Float64(nodes, storage, outs);
        StridedLoop.over(shape, operands).run((base, step, n) -> {
            Object scratch = ev.scratch();
            boolean[] invariant = new boolean[count];
            int width = Math.min(CHUNK, n);
            for (int j = 0; j < count; j++) {
                Fused.Node node = nodes.get(j);
                boolean inv = node.kind() != Expr.Kind.INPUT || step[outs + node.input()] == 0;
                for (int a : node.args()) inv &= invariant[a];
                invariant[j] = inv;
                if (inv) {
                    ev.evaluate(scratch, j, base, step, 0, 1);
                    ev.spread(scratch, j, width);
                }
            }
            for (int c0 = 0; c0 < n; c0 += CHUNK) {
                int m = Math.min(CHUNK, n - c0);
                for (int j = 0; j < count; j++) if (!invariant[j]) ev.evaluate(scratch, j, base, step, c0, m);
                for (int k = 0; k < outs; k++) ev.store(scratch, k, program.outputSlot(k), base, step, c0, m);
            }
        });
    }

    /** Float chunks: + - * / and comparisons in float (the correctly rounded results), functions through double. */
    private static final class Float32 extends Evaluator {
        private final ThreadLocal<float[][]> rows;
        private final float[] constant;

        Float32(List<Fused.Node> nodes, CpuStorage[] storage, int outs) {
            super(nodes, storage, outs);
            rows = ThreadLocal.withInitial(() -> new float[nodes.size()][CHUNK]);
            constant = new float[nodes.size()];
            for (int j = 0; j < nodes.size(); j++) constant[j] = (float) nodes.get(j).value();
        }

        @Override
        Object scratch() {
            return rows.get();
        }

        @Override
        void evaluate(Object scratch, int j, int[] base, int[] step, int c0, int m) {
            float[][] v = (float[][]) scratch;
            float[] r = v[j];
            Fused.Node node = nodes.get(j);
            int[] a = node.args();
            switch (node.kind()) {
                case INPUT -> {
                    int k = outs + node.input(), at = base[k] + c0 * step[k], s = step[k];
                    float[] f = storage[k].f;
                    if (s == 1) System.arraycopy(f, at, r, 0, m);
                    else for (int e = 0; e < m; e++, at += s) r[e] = f[at];
                }
                case CONSTANT -> Arrays.fill(r, 0, m, constant[j]);
                case UNARY -> {
                    float[] x = v[a[0]];
                    DoubleUnaryOperator fn = unary[j];
                    switch (node.unary()) {
                        case NEG -> { for (int e = 0; e < m; e++) r[e] = -x[e]; }
                        case ABS -> { for (int e = 0; e < m; e++) r[e] = Math.abs(x[e]); }
                        case EXP -> { for (int e = 0; e < m; e++) r[e] = (float) Math.exp(x[e]); }
                        case SQRT -> { for (int e = 0; e < m; e++) r[e] = (float) Math.sqrt(x[e]); }
                        case RSQRT -> { for (int e = 0; e < m; e++) r[e] = (float) (1 / Math.sqrt(x[e])); }
                        case TANH -> { for (int e = 0; e < m; e++) r[e] = (float) Math.tanh(x[e]); }
                        default -> { for (int e = 0; e < m; e++) r[e] = (float) fn.applyAsDouble(x[e]); }
                    }
                }
                case BINARY -> {
                    float[] x = v[a[0]], y = v[a[1]];
                    DoubleBinaryOperator fn = binary[j];
                    switch (node.binary()) {
                        case ADD -> { for (int e = 0; e < m; e++) r[e] = x[e] + y[e]; }
                        case SUB -> { for (int e = 0; e < m; e++) r[e] = x[e] - y[e]; }
                        case MUL -> { for (int e = 0; e < m; e++) r[e] = x[e] * y[e]; }
                        case DIV -> { for (int e = 0; e < m; e++) r[e] = x[e] / y[e]; }
                        case LT -> { for (int e = 0; e < m; e++) r[e] = x[e] < y[e] ? 1f : 0f; }
                        case LE -> { for (int e = 0; e < m; e++) r[e] = x[e] <= y[e] ? 1f : 0f; }
                        case GT -> { for (int e = 0; e < m; e++) r[e] = x[e] > y[e] ? 1f : 0f; }
                        case GE -> { for (int e = 0; e < m; e++) r[e] = x[e] >= y[e] ? 1f : 0f; }
                        default -> { for (int e = 0; e < m; e++) r[e] = (float) fn.applyAsDouble(x[e], y[e]); }
                    }
                }
                case WHERE -> {
                    float[] c = v[a[0]], x = v[a[1]], y = v[a[2]];
                    for (int e = 0; e < m; e++) r[e] = c[e] != 0 ? x[e] : y[e];
                }
            }
        }

        @Override
        void spread(Object scratch, int j, int width) {
            float[] r = ((float[][]) scratch)[j];
            Arrays.fill(r, 1, width, r[0]);
        }

        @Override
        void store(Object scratch, int k, int slot, int[] base, int[] step, int c0, int m) {
            float[] r = ((float[][]) scratch)[slot], f = storage[k].f;
            int at = base[k] + c0 * step[k], s = step[k];
            if (s == 1) System.arraycopy(r, 0, f, at, m);
            else for (int e = 0; e < m; e++, at += s) f[at] = r[e];
        }
    }

    /** Double chunks through CpuElementwise's functions: the float64 reference of gradient checks. */
    private static final class Float64 extends Evaluator {
        private final ThreadLocal<double[][]> rows;

        Float64(List<Fused.Node> nodes, CpuStorage[] storage, int outs) {
            super(nodes, storage, outs);
            rows = ThreadLocal.withInitial(() -> new double[nodes.size()][CHUNK]);
        }

        @Override
        Object scratch() {
            return rows.get();
        }

        @Override
        void evaluate(Object scratch, int j, int[] base, int[] step, int c0, int m) {
            double[][] v = (double[][]) scratch;
            double[] r = v[j];
            Fused.Node node = nodes.get(j);
            int[] a = node.args();
            switch (node.kind()) {
                case INPUT -> {
                    int k = outs + node.input(), at = base[k] + c0 * step[k], s = step[k];
                    double[] d = storage[k].d;
                    for (int e = 0; e < m; e++, at += s) r[e] = d[at];
                }
                case CONSTANT -> Arrays.fill(r, 0, m, node.value());
                case UNARY -> {
                    double[] x = v[a[0]];
                    for (int e = 0; e < m; e++) r[e] = unary[j].applyAsDouble(x[e]);
                }
                case BINARY -> {
                    double[] x = v[a[0]], y = v[a[1]];
                    for (int e = 0; e < m; e++) r[e] = binary[j].applyAsDouble(x[e], y[e]);
                }
                case WHERE -> {
                    double[] c = v[a[0]], x = v[a[1]], y = v[a[2]];
                    for (int e = 0; e < m; e++) r[e] = c[e] != 0 ? x[e] : y[e];
                }
            }
        }

        @Override
        void spread(Object scratch, int j, int width) {
            double[] r = ((double[][]) scratch)[j];
            Arrays.fill(r, 1, width, r[0]);
        }

        @Override
        void store(Object scratch, int k, int slot, int[] base, int[] step, int c0, int m) {
            double[] r = ((double[][]) scratch)[slot], d = storage[k].d;
            int at = base[k] + c0 * step[k], s = step[k];
            for (int e = 0; e < m; e++, at += s) d[at] = r[e];
        }
    }
}

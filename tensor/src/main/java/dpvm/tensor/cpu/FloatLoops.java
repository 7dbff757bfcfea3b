package dpvm.tensor.cpu;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.Unary;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Float32 inner loops with the op chosen once per run rather than per element: one call site per op keeps the
 * JIT's loops monomorphic (a shared lambda call site would be megamorphic and several times slower), and the
 * unit-stride cases are plain counted loops the JIT vectorises. Results equal the generic double path: + - * /
 * in float are the correctly rounded results that double-then-round gives.
 */
final class FloatLoops {
    private FloatLoops() {}

    static void binary(Binary op, float[] o, int io, int so, float[] a, int ia, int sa, float[] c, int ic, int sc, int n, DoubleBinaryOperator fn) {
        if (so == 1 && sa == 1 && (sc == 1 || sc == 0)) {
            if (contiguous(op, o, io, a, ia, c, ic, sc, n)) return;
        }
        switch (op) {
            case ADD -> { for (int j = 0; j < n; j++, io += so, ia += sa, ic += sc) o[io] = a[ia] + c[ic]; }
            case SUB -> { for (int j = 0; j < n; j++, io += so, ia += sa, ic += sc) o[io] = a[ia] - c[ic]; }
            case MUL -> { for (int j = 0; j < n; j++, io += so, ia += sa, ic += sc) o[io] = a[ia] * c[ic]; }
            case DIV -> { for (int j = 0; j < n; j++, io += so, ia += sa, ic += sc) o[io] = a[ia] / c[ic]; }
            default -> { for (int j = 0; j < n; j++, io += so, ia += sa, ic += sc) o[io] = (float) fn.applyAsDouble(a[ia], c[ic]); }
        }
    }

    /** Unit-stride output and left operand, right operand unit-stride or broadcast; false if op has no fast loop. */
    private static boolean contiguous(Binary op, float[] o, int io, float[] a, int ia, float[] c, int ic, int sc, int n) {
        if (sc == 0) {
            float s = c[ic];
            switch (op) {
                case ADD -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] + s; }
                case SUB -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] - s; }
                case MUL -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] * s; }
                case DIV -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] / s; }
                case LE -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] <= s ? 1f : 0f; }
                case GT -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] > s ? 1f : 0f; }
                case LT -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] < s ? 1f : 0f; }
                default -> { return false; }
            }
            return true;
        }
        switch (op) {
            case ADD -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] + c[ic + j]; }
            case SUB -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] - c[ic + j]; }
            case MUL -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] * c[ic + j]; }
            case DIV -> { for (int j = 0; j < n; j++) o[io + j] = a[ia + j] / c[ic + j]; }
            default -> { return false; }
        }
        return true;
    }

    static void unary(Unary op, float[] o, int io, int so, float[] a, int ia, int sa, int n, DoubleUnaryOperator fn) {
        switch (op) {
            case NEG -> { for (int j = 0; j < n; j++, io += so, ia += sa) o[io] = -a[ia]; }
            case ABS -> { for (int j = 0; j < n; j++, io += so, ia += sa) o[io] = Math.abs(a[ia]); }
            case EXP -> { for (int j = 0; j < n; j++, io += so, ia += sa) o[io] = (float) Math.exp(a[ia]); }
            case LOG -> { for (int j = 0; j < n; j++, io += so, ia += sa) o[io] = (float) Math.log(a[ia]); }
            case SQRT -> { for (int j = 0; j < n; j++, io += so, ia += sa) o[io] = (float) Math.sqrt(a[ia]); }
            case RSQRT -> { for (int j = 0; j < n; j++, io += so, ia += sa) o[io] = (float) (1 / Math.sqrt(a[ia])); }
            case TANH -> { for (int j = 0; j < n; j++, io += so, ia += sa) o[io] = (float) Math.tanh(a[ia]); }
            default -> { for (int j = 0; j < n; j++, io += so, ia += sa) o[io] = (float) fn.applyAsDouble(a[ia]); }
        }
    }

    static void where(float[] o, int io, int so, float[] k, int ik, int sk, float[] a, int ia, int sa, float[] c, int ic, int sc, int n) {
        for (int j = 0; j < n; j++, io += so, ik += sk, ia += sa, ic += sc) o[io] = k[ik] != 0 ? a[ia] : c[ic];
    }

    /** Softmax or log-softmax of one row, accumulating in double. */
    static void softmaxRow(float[] x, int xs, float[] o, int os, int n, boolean log) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) m = Math.max(m, x[xs + j]);
        if (m == Float.NEGATIVE_INFINITY) m = 0;
        double sum = 0;
        if (log) {
            for (int j = 0; j < n; j++) sum += Math.exp(x[xs + j] - m);
            float shift = (float) (m + Math.log(sum));
            for (int j = 0; j < n; j++) o[os + j] = x[xs + j] - shift;
        } else {
            // one exp per element: keep the exponentials in the output, then scale
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(x[xs + j] - m);
                o[os + j] = e;
                sum += e;
            }
            float inv = (float) (1 / sum);
            for (int j = 0; j < n; j++) o[os + j] *= inv;
        }
    }

    /** Gradient of one softmax (or log-softmax) row from its output y and upstream gradient g. */
    static void softmaxBackwardRow(float[] y, int ys, float[] g, int gs, float[] o, int os, int n, boolean log) {
        double dot = 0;
        if (log) {
            for (int j = 0; j < n; j++) dot += g[gs + j];
            for (int j = 0; j < n; j++) o[os + j] = (float) (g[gs + j] - Math.exp(y[ys + j]) * dot);
        } else {
            for (int j = 0; j < n; j++) dot += (double) g[gs + j] * y[ys + j];
            for (int j = 0; j < n; j++) o[os + j] = (float) (y[ys + j] * (g[gs + j] - dot));
        }
    }
}

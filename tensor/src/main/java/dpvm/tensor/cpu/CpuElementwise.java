package dpvm.tensor.cpu;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.Unary;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise kernels over strided, broadcast operands. Float32 values are computed in double and rounded once,
 * which is exact for + - * / and sqrt and within an ulp elsewhere.
 */
final class CpuElementwise {
    private static final double SQRT_HALF = Math.sqrt(0.5);

    private CpuElementwise() {}

    static CpuStorage cs(Tensor t) {
        return (CpuStorage) t.storage();
    }

    static DoubleUnaryOperator unaryFn(Unary op) {
        return switch (op) {
            case NEG -> x -> -x;
            case EXP -> Math::exp;
            case LOG -> Math::log;
            case SQRT -> Math::sqrt;
            case RSQRT -> x -> 1 / Math.sqrt(x);
            case ABS -> Math::abs;
            case SIGN -> Math::signum;
            case TANH -> Math::tanh;
            case SIGMOID -> x -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            case ERF -> Erf::erf;
            case RECIPROCAL -> x -> 1 / x;
            case SIN -> Math::sin;
            case COS -> Math::cos;
            case GELU -> x -> 0.5 * x * Erf.erfc(-x * SQRT_HALF); // = 0.5 x (1 + erf(x / sqrt 2)), accurate in the left tail
        };
    }

    static DoubleBinaryOperator binaryFn(Binary op) {
        return switch (op) {
            case ADD -> Double::sum;
            case SUB -> (a, b) -> a - b;
            case MUL -> (a, b) -> a * b;
            case DIV -> (a, b) -> a / b;
            case POW -> Math::pow;
            case MAX -> (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MIN -> (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            case EQ -> (a, b) -> a == b ? 1 : 0;
            case NE -> (a, b) -> a != b ? 1 : 0;
            case LT -> (a, b) -> a < b ? 1 : 0;
            case LE -> (a, b) -> a <= b ? 1 : 0;
            case GT -> (a, b) -> a > b ? 1 : 0;
            case GE -> (a, b) -> a >= b ? 1 : 0;
        };
    }

    static void unary(Unary op, Tensor x, Tensor out) {
        DoubleUnaryOperator fn = unaryFn(op);
        CpuStorage o = cs(out), a = cs(x);
        StridedLoop loop = StridedLoop.over(out.shape(), out, x);
        switch (out.dtype()) {
            case FLOAT32 -> loop.run((b, s, n) -> FloatLoops.unary(op, o.f, b[0], s[0], a.f, b[1], s[1], n, fn));
            case FLOAT64 -> loop.run((b, s, n) -> {
                double[] od = o.d, ad = a.d;
                for (int j = 0, io = b[0], ia = b[1]; j < n; j++, io += s[0], ia += s[1]) od[io] = fn.applyAsDouble(ad[ia]);
            });
            default -> loop.run((b, s, n) -> {
                for (int j = 0, io = b[0], ia = b[1]; j < n; j++, io += s[0], ia += s[1]) o.set(io, fn.applyAsDouble(a.get(ia)));
            });
        }
    }

    static void binary(Binary op, Tensor x, Tensor y, Tensor out) {
        DoubleBinaryOperator fn = binaryFn(op);
        CpuStorage o = cs(out), a = cs(x), c = cs(y);
        StridedLoop loop = StridedLoop.over(out.shape(), out, x, y);
        switch (out.dtype()) {
            case FLOAT32 -> loop.run((b, s, n) -> FloatLoops.binary(op, o.f, b[0], s[0], a.f, b[1], s[1], c.f, b[2], s[2], n, fn));
            case FLOAT64 -> loop.run((b, s, n) -> {
                double[] od = o.d, ad = a.d, cd = c.d;
                for (int j = 0, io = b[0], ia = b[1], ic = b[2]; j < n; j++, io += s[0], ia += s[1], ic += s[2]) {
                    od[io] = fn.applyAsDouble(ad[ia], cd[ic]);
                }
            });
            case BFLOAT16 -> loop.run((b, s, n) -> {
                // in float32 (exact in double for + - * /, then rounded once to float32 by set), then to bfloat16
                for (int j = 0, io = b[0], ia = b[1], ic = b[2]; j < n; j++, io += s[0], ia += s[1], ic += s[2]) {
                    o.set(io, fn.applyAsDouble(a.get(ia), c.get(ic)));
                }
            });
            case INT64 -> loop.run((b, s, n) -> {
                // exact integer arithmetic: labels and indices must not pass through double
                for (int j = 0, io = b[0], ia = b[1], ic = b[2]; j < n; j++, io += s[0], ia += s[1], ic += s[2]) {
                    o.l[io] = integerOp(op, a.l[ia], c.l[ic], fn);
                }
            });
            default -> loop.run((b, s, n) -> {
                for (int j = 0, io = b[0], ia = b[1], ic = b[2]; j < n; j++, io += s[0], ia += s[1], ic += s[2]) {
                    o.set(io, integerOp(op, (long) a.get(ia), (long) c.get(ic), fn));
                }
            });
        }
    }

    private static long integerOp(Binary op, long a, long b, DoubleBinaryOperator fn) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> {
                if (b == 0) throw new ArithmeticException("div: integer division by zero");
                yield Math.floorDiv(a, b);
            }
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            default -> (long) fn.applyAsDouble(a, b);
        };
    }

    static void where(Tensor cond, Tensor x, Tensor y, Tensor out) {
        CpuStorage o = cs(out), k = cs(cond), a = cs(x), c = cs(y);
        StridedLoop loop = StridedLoop.over(out.shape(), out, cond, x, y);
        if (out.dtype() == DType.FLOAT32 && cond.dtype() == DType.FLOAT32) {
            loop.run((b, s, n) -> FloatLoops.where(o.f, b[0], s[0], k.f, b[1], s[1], a.f, b[2], s[2], c.f, b[3], s[3], n));
            return;
        }
        loop.run((b, s, n) -> {
            for (int j = 0, io = b[0], ik = b[1], ia = b[2], ic = b[3]; j < n; j++, io += s[0], ik += s[1], ia += s[2], ic += s[3]) {
                boolean pick = k.get(ik) != 0;
                switch (out.dtype()) {
                    case FLOAT32 -> o.f[io] = pick ? a.f[ia] : c.f[ic];
                    case FLOAT64 -> o.d[io] = pick ? a.d[ia] : c.d[ic];
                    case INT32 -> o.i[io] = pick ? a.i[ia] : c.i[ic];
                    case INT64 -> o.l[io] = pick ? a.l[ia] : c.l[ic];
                    case BFLOAT16 -> o.h[io] = pick ? a.h[ia] : c.h[ic];
                }
            }
        });
    }

    /** dst (strided) = src broadcast to dst's shape, converting dtype if they differ. */
    static void copy(Tensor src, Tensor dst) {
        CpuStorage o = cs(dst), a = cs(src);
        Shape.broadcast("copy", dst.shape(), src.shape());
        StridedLoop loop = StridedLoop.over(dst.shape(), dst, src);
        DType from = src.dtype(), to = dst.dtype();
        if (from == to) {
            loop.run((b, s, n) -> {
                if (s[0] == 1 && s[1] == 1) {
                    switch (to) {
                        case FLOAT32 -> System.arraycopy(a.f, b[1], o.f, b[0], n);
                        case FLOAT64 -> System.arraycopy(a.d, b[1], o.d, b[0], n);
                        case INT32 -> System.arraycopy(a.i, b[1], o.i, b[0], n);
                        case INT64 -> System.arraycopy(a.l, b[1], o.l, b[0], n);
                        case BFLOAT16 -> System.arraycopy(a.h, b[1], o.h, b[0], n);
                    }
                    return;
                }
                for (int j = 0, io = b[0], ia = b[1]; j < n; j++, io += s[0], ia += s[1]) {
                    switch (to) {
                        case FLOAT32 -> o.f[io] = a.f[ia];
                        case FLOAT64 -> o.d[io] = a.d[ia];
                        case INT32 -> o.i[io] = a.i[ia];
                        case INT64 -> o.l[io] = a.l[ia];
                        case BFLOAT16 -> o.h[io] = a.h[ia];
                    }
                }
            });
        } else if (from == DType.INT64 && to == DType.INT32) {
            loop.run((b, s, n) -> {
                for (int j = 0, io = b[0], ia = b[1]; j < n; j++, io += s[0], ia += s[1]) o.i[io] = (int) a.l[ia];
            });
        } else {
            loop.run((b, s, n) -> {
                for (int j = 0, io = b[0], ia = b[1]; j < n; j++, io += s[0], ia += s[1]) o.set(io, a.get(ia));
            });
        }
    }
}

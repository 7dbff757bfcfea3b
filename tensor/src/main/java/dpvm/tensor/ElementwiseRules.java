package dpvm.tensor;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.Unary;

/**
 * The gradient rules of the elementwise primitives, written once over any arithmetic: {@link Ops} runs them on
 * tensors for autograd, {@link Fused} on expressions to derive a fused kernel's backward kernel. Each rule gives
 * the gradient at the broadcast shape; summing it back to an input's shape is the caller's job.
 */
final class ElementwiseRules {
    /** The operations the rules are written in. */
    interface Arith<V> {
        V unary(Unary op, V x);

        V binary(Binary op, V a, V b);

        /** A constant usable with {@code like}. */
        V constant(double c, V like);

        V where(V condition, V a, V b);
    }

    /** Gradients of a binary op's two operands, null where not asked for or not defined. */
    record Pair<V>(V a, V b) {}

    static final Arith<Tensor> TENSORS = new Arith<>() {
        @Override
        public Tensor unary(Unary op, Tensor x) {
            return Ops.unary(op, x);
        }

        @Override
        public Tensor binary(Binary op, Tensor a, Tensor b) {
            return Ops.binary(op, a, b);
        }

        @Override
        public Tensor constant(double c, Tensor like) {
            return like.like(c);
        }

        @Override
        public Tensor where(Tensor condition, Tensor a, Tensor b) {
            return Ops.where(condition, a, b);
        }
    };

    static final Arith<Expr> EXPRESSIONS = new Arith<>() {
        @Override
        public Expr unary(Unary op, Expr x) {
            return Expr.apply(op, x);
        }

        @Override
        public Expr binary(Binary op, Expr a, Expr b) {
            return Expr.apply(op, a, b);
        }

        @Override
        public Expr constant(double c, Expr like) {
            return Expr.constant(c);
        }

        @Override
        public Expr where(Expr condition, Expr a, Expr b) {
            return Expr.where(condition, a, b);
        }
    };

    private ElementwiseRules() {}

    /**
     * The gradient of {@code y = op(x)} given the upstream gradient {@code g}; null for SIGN, whose gradient is
     * zero everywhere (the caller decides how a zero is represented).
     */
    static <V> V unary(Unary op, V x, V y, V g, Arith<V> m) {
        return switch (op) {
            case NEG -> neg(m, g);
            case EXP -> mul(m, g, y);
            case LOG -> m.binary(Binary.DIV, g, x);
            case SQRT -> m.binary(Binary.DIV, g, mulc(m, y, 2));
            case RSQRT -> mul(m, g, mulc(m, mul(m, mul(m, y, y), y), -0.5));
            case ABS -> mul(m, g, m.unary(Unary.SIGN, x));
            case SIGN -> null;
            case TANH -> mul(m, g, addc(m, neg(m, mul(m, y, y)), 1));
            case SIGMOID -> mul(m, g, mul(m, y, addc(m, neg(m, y), 1)));
            case ERF -> mul(m, g, mulc(m, m.unary(Unary.EXP, neg(m, mul(m, x, x))), 2 / Math.sqrt(Math.PI)));
            case RECIPROCAL -> neg(m, mul(m, g, mul(m, y, y)));
            case SIN -> mul(m, g, m.unary(Unary.COS, x));
            case COS -> neg(m, mul(m, g, m.unary(Unary.SIN, x)));
            case GELU -> {
                // d/dx x Phi(x) = Phi(x) + x phi(x)
                V cdf = mulc(m, addc(m, m.unary(Unary.ERF, mulc(m, x, Math.sqrt(0.5))), 1), 0.5);
                V pdf = mulc(m, m.unary(Unary.EXP, mulc(m, mul(m, x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
                yield mul(m, g, m.binary(Binary.ADD, cdf, mul(m, x, pdf)));
            }
        };
    }

    /**
     * The gradients of {@code y = op(a, b)} at the broadcast shape, each made only when {@code needA} or
     * {@code needB} asks for it; both null for comparisons, which have no gradient.
     */
    static <V> Pair<V> binary(Binary op, V a, V b, V y, V g, boolean needA, boolean needB, Arith<V> m) {
        return switch (op) {
            case ADD -> new Pair<>(needA ? g : null, needB ? g : null);
            case SUB -> new Pair<>(needA ? g : null, needB ? neg(m, g) : null);
            case MUL -> new Pair<>(needA ? mul(m, g, b) : null, needB ? mul(m, g, a) : null);
            case DIV -> new Pair<>(needA ? m.binary(Binary.DIV, g, b) : null, needB ? neg(m, m.binary(Binary.DIV, mul(m, g, y), b)) : null);
            case POW -> new Pair<>(
                    needA ? mul(m, mul(m, g, b), m.binary(Binary.POW, a, addc(m, b, -1))) : null,
                    // the exponent's gradient y log a, taken as 0 where a <= 0 (PyTorch's convention)
                    needB ? mul(m, g, m.where(m.binary(Binary.GT, a, m.constant(0, a)),
                            mul(m, y, m.unary(Unary.LOG, m.binary(Binary.MAX, a, m.constant(Double.MIN_NORMAL, a)))), m.constant(0, a))) : null);
            case MAX, MIN -> {
                // ties split the gradient evenly, as PyTorch's maximum/minimum do
                V wins = m.binary(op == Binary.MAX ? Binary.GT : Binary.LT, a, b);
                V share = m.binary(Binary.ADD, wins, mulc(m, m.binary(Binary.EQ, a, b), 0.5));
                yield new Pair<>(needA ? mul(m, g, share) : null, needB ? mul(m, g, addc(m, neg(m, share), 1)) : null);
            }
            case EQ, NE, LT, LE, GT, GE -> new Pair<>(null, null);
        };
    }

    /** The gradients of {@code where(condition, a, b)} for a and b: g where each was picked, zero elsewhere. */
    static <V> Pair<V> where(V condition, V g, boolean needA, boolean needB, Arith<V> m) {
        V zero = m.constant(0, g);
        return new Pair<>(needA ? m.where(condition, g, zero) : null, needB ? m.where(condition, zero, g) : null);
    }

    private static <V> V mul(Arith<V> m, V a, V b) {
        return m.binary(Binary.MUL, a, b);
    }

    private static <V> V mulc(Arith<V> m, V a, double c) {
        return m.binary(Binary.MUL, a, m.constant(c, a));
    }

    private static <V> V addc(Arith<V> m, V a, double c) {
        return m.binary(Binary.ADD, a, m.constant(c, a));
    }

    private static <V> V neg(Arith<V> m, V x) {
        return m.unary(Unary.NEG, x);
    }
}

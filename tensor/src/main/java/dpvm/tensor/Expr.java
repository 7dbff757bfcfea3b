package dpvm.tensor;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.Unary;

/**
 * One scalar expression of a fused elementwise kernel ({@link Fused}): inputs by position, constants, and the
 * elementwise primitives ({@link Unary}, {@link Binary}, where) applied to them. Immutable; two expressions are
 * equal when their canonical text ({@link #toString()}) is, so a repeated subexpression is computed once.
 *
 * <pre>{@code
 * Expr x = Expr.input(0);
 * Fused silu = Fused.define("silu", 1, x.mul(x.sigmoid()));
 * }</pre>
 */
public final class Expr {
    /** What a node is; the fields that matter for each kind are named beside it. */
    public enum Kind {
        /** {@link #index()}. */
        INPUT,
        /** {@link #value()}. */
        CONSTANT,
        /** {@link #unaryOp()} of {@code args[0]}. */
        UNARY,
        /** {@link #binaryOp()} of {@code args[0]} and {@code args[1]}. */
        BINARY,
        /** {@code args[0] != 0 ? args[1] : args[2]}. */
        WHERE
    }

    private final Kind kind;
    private final int index;
    private final double value;
    private final Unary unary;
    private final Binary binary;
    private final Expr[] args;
    private final String text;
    private final int hash;
    private final int maxInput;

    private Expr(Kind kind, int index, double value, Unary unary, Binary binary, Expr[] args, String text) {
        this.kind = kind;
        this.index = index;
        this.value = value;
        this.unary = unary;
        this.binary = binary;
        this.args = args;
        this.text = text;
        this.hash = text.hashCode();
        // kept per node: a walk of the tree would revisit shared subexpressions once per path
        int m = kind == Kind.INPUT ? index : -1;
        for (Expr a : args) m = Math.max(m, a.maxInput);
        this.maxInput = m;
    }

    /** The {@code i}-th input tensor of the kernel, broadcast to the common shape. */
    public static Expr input(int i) {
        if (i < 0) throw new IllegalArgumentException("fused expression: input index must be non-negative, got " + i);
        return new Expr(Kind.INPUT, i, 0, null, null, new Expr[0], "x" + i);
    }

    /** A constant, rounded to the inputs' dtype when evaluated (as a scalar tensor of that dtype would be). */
    public static Expr constant(double v) {
        // the exact bits keep -0.0 and NaN payloads apart and make the text a faithful key
        return new Expr(Kind.CONSTANT, 0, v, null, null, new Expr[0], "c" + Double.toHexString(v));
    }

    public static Expr apply(Unary op, Expr x) {
        return new Expr(Kind.UNARY, 0, 0, op, null, new Expr[] {x}, op.name().toLowerCase() + "(" + x.text + ")");
    }

    public static Expr apply(Binary op, Expr a, Expr b) {
        return new Expr(Kind.BINARY, 0, 0, null, op, new Expr[] {a, b}, op.name().toLowerCase() + "(" + a.text + "," + b.text + ")");
    }

    /** {@code condition != 0 ? a : b}, as {@link Ops#where}. */
    public static Expr where(Expr condition, Expr a, Expr b) {
        return new Expr(Kind.WHERE, 0, 0, null, null, new Expr[] {condition, a, b}, "where(" + condition.text + "," + a.text + "," + b.text + ")");
    }

    public Kind kind() { return kind; }

    public int index() { return index; }

    public double value() { return value; }

    public Unary unaryOp() { return unary; }

    public Binary binaryOp() { return binary; }

    public Expr arg(int i) { return args[i]; }

    public int arity() { return args.length; }

    /** The largest input index used, or -1 for an expression of constants only. */
    public int maxInput() {
        return maxInput;
    }

    // Shorthands, named like Tensor's.
    public Expr add(Expr o) { return apply(Binary.ADD, this, o); }
    public Expr add(double o) { return add(constant(o)); }
    public Expr sub(Expr o) { return apply(Binary.SUB, this, o); }
    public Expr sub(double o) { return sub(constant(o)); }
    public Expr mul(Expr o) { return apply(Binary.MUL, this, o); }
    public Expr mul(double o) { return mul(constant(o)); }
    public Expr div(Expr o) { return apply(Binary.DIV, this, o); }
    public Expr div(double o) { return div(constant(o)); }
    public Expr pow(Expr o) { return apply(Binary.POW, this, o); }
    public Expr pow(double o) { return pow(constant(o)); }
    public Expr maximum(Expr o) { return apply(Binary.MAX, this, o); }
    public Expr minimum(Expr o) { return apply(Binary.MIN, this, o); }
    public Expr lt(Expr o) { return apply(Binary.LT, this, o); }
    public Expr le(Expr o) { return apply(Binary.LE, this, o); }
    public Expr gt(Expr o) { return apply(Binary.GT, this, o); }
    public Expr ge(Expr o) { return apply(Binary.GE, this, o); }
    public Expr eq(Expr o) { return apply(Binary.EQ, this, o); }
    public Expr neg() { return apply(Unary.NEG, this); }
    public Expr exp() { return apply(Unary.EXP, this); }
    public Expr log() { return apply(Unary.LOG, this); }
    public Expr sqrt() { return apply(Unary.SQRT, this); }
    public Expr rsqrt() { return apply(Unary.RSQRT, this); }
    public Expr abs() { return apply(Unary.ABS, this); }
    public Expr tanh() { return apply(Unary.TANH, this); }
    public Expr sigmoid() { return apply(Unary.SIGMOID, this); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Expr e && e.hash == hash && e.text.equals(text);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The canonical text, e.g. {@code mul(x0,sigmoid(x0))}. */
    @Override
    public String toString() {
        return text;
    }
}

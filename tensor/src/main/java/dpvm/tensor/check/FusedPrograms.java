package dpvm.tensor.check;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.Unary;
import dpvm.tensor.Expr;
import dpvm.tensor.Fused;

/** Fused programs that exercise a backend's code generator as a whole. */
public final class FusedPrograms {
    private FusedPrograms() {}

    /** One program with every unary and binary operator, a where, constants (a negative zero among them), and two outputs. */
    public static Fused everyOperator() {
        Expr x = Expr.input(0), y = Expr.input(1), z = Expr.input(2), e = x;
        for (Unary u : Unary.values()) e = e.add(Expr.apply(u, y.mul(0.25)));
        for (Binary b : Binary.values()) e = e.sub(Expr.apply(b, e, z));
        return Fused.define("every_operator", 3, Expr.where(x.lt(y), e, z.div(-0.0)), x.mul(y).add(z));
    }
}

package dpvm.tensor;

import dpvm.tensor.check.OpCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Forward values and gradients of every elementwise op, with broadcasting, odd and size-1 dims. */
class ElementwiseOpsTest {
    static java.util.stream.Stream<Device> devices() {
        return Backends4Test.devices();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void arithmeticWithBroadcasting(Device d) {
        OpCheck.of("add", x -> x[0].add(x[1])).input(3, 5).input(5).expectShape(3, 5).check(d);
        OpCheck.of("sub", x -> x[0].sub(x[1])).input(2, 1, 4).input(3, 1).expectShape(2, 3, 4).check(d);
        OpCheck.of("mul", x -> x[0].mul(x[1])).input(1, 7).input(3, 1).check(d);
        OpCheck.of("div", x -> x[0].div(x[1])).input(4, 3).inputBetween(0.5, 2, 4, 1).check(d);
        OpCheck.of("pow", x -> x[0].pow(x[1])).inputBetween(0.5, 2, 3, 2).inputBetween(-1.5, 1.5, 2).check(d);
        OpCheck.of("maximum", x -> x[0].maximum(x[1])).input(5, 3).input(5, 3).check(d);
        OpCheck.of("minimum", x -> x[0].minimum(x[1])).input(1, 3).input(5, 1).check(d);
        OpCheck.of("scalar operand", x -> x[0].mul(2.5).sub(1)).input(3).check(d);
        OpCheck.of("0-d with 0-d", x -> x[0].add(x[1])).input().input().expectShape().check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void hand_computed(Device d) {
        OpCheck.of("add", x -> x[0].add(x[1])).input(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2)).input(Tensor.of(new double[] {10, 20}, 2))
                .expectValues(11, 22, 13, 24).check(d);
        OpCheck.of("div", x -> x[0].div(x[1])).input(Tensor.of(new double[] {1, -3}, 2)).input(Tensor.of(new double[] {4}, 1))
                .expectValues(0.25, -0.75).check(d);
        OpCheck.of("relu", x -> x[0].relu()).input(Tensor.of(new double[] {-1, 0.5, 2}, 3)).expectValues(0, 0.5, 2).check(d);
        OpCheck.of("sigmoid", x -> x[0].sigmoid()).input(Tensor.of(new double[] {0, Math.log(3)}, 2)).expectValues(0.5, 0.75).check(d);
        OpCheck.of("gelu", x -> Functional.gelu(x[0])).input(Tensor.of(new double[] {0, 1, -1}, 3))
                .expectValues(0, 0.8413447460685429, -0.15865525393145707).check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void unary(Device d) {
        OpCheck.of("neg", x -> x[0].neg()).input(2, 3).check(d);
        OpCheck.of("exp", x -> x[0].exp()).input(4, 1).check(d);
        OpCheck.of("log", x -> x[0].log()).inputBetween(0.1, 3, 3, 3).check(d);
        OpCheck.of("sqrt", x -> x[0].sqrt()).inputBetween(0.1, 3, 5).check(d);
        OpCheck.of("rsqrt", x -> x[0].rsqrt()).inputBetween(0.2, 3, 5).check(d);
        OpCheck.of("abs", x -> x[0].abs()).input(7).check(d);
        OpCheck.of("tanh", x -> x[0].tanh()).input(2, 3).check(d);
        OpCheck.of("sigmoid", x -> x[0].sigmoid()).inputBetween(-8, 8, 9).check(d);
        OpCheck.of("relu", x -> x[0].relu()).input(3, 4).check(d);
        OpCheck.of("silu", x -> Functional.silu(x[0])).input(3, 4).check(d);
        OpCheck.of("gelu", x -> Functional.gelu(x[0])).inputBetween(-4, 4, 11).check(d);
        OpCheck.of("gelu_tanh", x -> Functional.geluTanh(x[0])).inputBetween(-4, 4, 11).check(d);
        OpCheck.of("erf", x -> Ops.unary(Backend.Unary.ERF, x[0])).inputBetween(-3.5, 3.5, 13).check(d);
        OpCheck.of("reciprocal", x -> Ops.unary(Backend.Unary.RECIPROCAL, x[0])).inputBetween(0.5, 2, 4).check(d);
        OpCheck.of("sin", x -> Ops.unary(Backend.Unary.SIN, x[0])).input(4).check(d);
        OpCheck.of("cos", x -> Ops.unary(Backend.Unary.COS, x[0])).input(4).check(d);
        OpCheck.of("clamp", x -> Functional.clamp(x[0], -1, 1)).input(3, 5).check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void comparisonsAndWhere(Device d) {
        Tensor a = Tensor.of(new double[] {1, 2, 3}, 3), b = Tensor.of(new double[] {2, 2, 2}, 3);
        OpCheck.of("lt", x -> x[0].lt(x[1])).input(a).input(b).expectValues(1, 0, 0).withoutGradients().check(d);
        OpCheck.of("le", x -> x[0].le(x[1])).input(a).input(b).expectValues(1, 1, 0).withoutGradients().check(d);
        OpCheck.of("eq", x -> x[0].eq(x[1])).input(a).input(b).expectValues(0, 1, 0).withoutGradients().check(d);
        OpCheck.of("ne", x -> x[0].ne(x[1])).input(a).input(b).expectValues(1, 0, 1).withoutGradients().check(d);
        OpCheck.of("gt", x -> x[0].gt(x[1])).input(a).input(b).expectValues(0, 0, 1).withoutGradients().check(d);
        OpCheck.of("ge", x -> x[0].ge(x[1])).input(a).input(b).expectValues(0, 1, 1).withoutGradients().check(d);
        Tensor cond = Tensor.of(new double[] {1, 0, 1, 0, 0, 1}, 2, 3);
        OpCheck.of("where", x -> Functional.where(x[0], x[1], x[2])).constant(cond).input(2, 3).input(3).check(d);
    }

    @org.junit.jupiter.api.Test
    void integerArithmeticIsExact() {
        long big = (1L << 60) + 1;
        Tensor a = Tensor.ofLongs(new long[] {big, 7}, 2), b = Tensor.ofLongs(new long[] {1, 2}, 2);
        assertArrayEquals(new long[] {big + 1, 9}, a.add(b).toLongArray());
        assertArrayEquals(new long[] {big, 3}, a.div(b).toLongArray());
        assertEquals(DType.INT64, a.mul(b).dtype());
    }
}

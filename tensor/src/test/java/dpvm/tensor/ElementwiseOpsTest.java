package dpvm.tensor;

import dpvm.tensor.check.OpCheck;
import dpvm.tensor.check.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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

    /** GELU as the composite it used to be: 0.5 x (1 + erf(x / sqrt 2)). */
    private static Tensor geluDefinition(Tensor x) {
        return x.mul(Ops.unary(Backend.Unary.ERF, x.mul(1 / Math.sqrt(2))).add(1)).mul(0.5);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void geluPrimitive(Device d) {
        // 0.5 x erfc(-x / sqrt 2) to 40 digits: the left tail keeps its relative precision
        OpCheck.of("gelu tails", x -> Ops.unary(Backend.Unary.GELU, x[0])).input(Tensor.of(new double[] {-8, -5, -3, -0.5, 3}, 5))
                .expectValues(-4.9767684594174273e-15, -1.4332578593959696e-6, -0.0040496940948902836, -0.15426876936299345, 2.9959503059051097).check(d);
        OpCheck.of("gelu 2-d", x -> Functional.gelu(x[0])).inputBetween(-6, 6, 3, 41).check(d);
        OpCheck.of("gelu 0-d", x -> Functional.gelu(x[0])).input().check(d);

        // values and gradients against the definition in float64, on the device under test
        double[] grid = new double[1001];
        for (int i = 0; i < grid.length; i++) grid[i] = -5.5 + 11.0 * i / (grid.length - 1);
        Tensor fused = Tensor.of(grid, 7, 11, 13).to(d).requiresGrad(true), composite = Tensor.of(grid, 7, 11, 13).requiresGrad(true);
        Tensor upstream = new Rng(4).uniform(new int[] {7, 11, 13}, DType.FLOAT64, Device.CPU);
        Tensor y = Functional.gelu(fused.transpose(0, 2)), ref = geluDefinition(composite.transpose(0, 2));
        y.mul(upstream.transpose(0, 2).to(d)).sum().backward();
        ref.mul(upstream.transpose(0, 2)).sum().backward();
        // both sides share Erf's series, good to about 1e-13 absolute just below |x / sqrt 2| = 2.5
        Tolerance definition = new Tolerance("definition", 1e-10, 1e-15);
        assertNull(definition.mismatch(y.toDoubleArray(), ref.toDoubleArray()), "gelu values");
        assertNull(definition.mismatch(fused.grad().toDoubleArray(), composite.grad().toDoubleArray()), "gelu gradients");
        assertEquals(DType.FLOAT32, Functional.gelu(Tensor.zeros(new int[] {2}, DType.FLOAT32, d)).dtype());
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

    @ParameterizedTest
    @MethodSource("devices")
    void integerArithmeticIsExact(Device d) {
        long big = (1L << 60) + 1;
        Tensor a = Tensor.ofLongs(new long[] {big, 7, -7}, 3).to(d), b = Tensor.ofLongs(new long[] {1, 2, 2}, 3).to(d);
        assertArrayEquals(new long[] {big + 1, 9, -5}, a.add(b).toLongArray());
        assertArrayEquals(new long[] {big, 3, -4}, a.div(b).toLongArray(), "division floors");
        assertEquals(DType.INT64, a.mul(b).dtype());
    }

    /** Results past int32's range, and casts of floats that are not finite or out of range, as Java's casts: saturated, NaN to 0. */
    @ParameterizedTest
    @MethodSource("devices")
    void integerResultsTruncateAndSaturate(Device d) {
        Tensor i = Tensor.ofInts(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 46341}, 3).to(d), two = Tensor.ofInts(new int[] {2, 2, 2}, 3).to(d);
        assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 92682}, i.mul(two).toIntArray(), "int32 products on " + d);
        assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, i.mul(i).toIntArray(), "int32 squares on " + d);
        float nan = Float.NaN, inf = Float.POSITIVE_INFINITY;
        Tensor f = Tensor.of(new float[] {nan, inf, -inf, 3e9f, -3e9f, 2.9f, -2.9f, 1e19f, -1e19f}, 9).to(d);
        assertArrayEquals(new int[] {0, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, 2, -2, Integer.MAX_VALUE, Integer.MIN_VALUE},
                f.cast(DType.INT32).toIntArray(), "float32 to int32 on " + d);
        assertArrayEquals(new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE, 3_000_000_000L, -3_000_000_000L, 2, -2, Long.MAX_VALUE, Long.MIN_VALUE},
                f.cast(DType.INT64).toLongArray(), "float32 to int64 on " + d);
    }
}

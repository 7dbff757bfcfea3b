package dpvm.tensor;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.Backend.Unary;
import dpvm.tensor.check.OpCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * bfloat16 tensors on every backend: casts round to nearest even, elementwise ops are the float32 op rounded once,
 * matmul accumulates in float32, the ops without bfloat16 kernels run through float32 and give bfloat16 back,
 * and gradients flow in bfloat16.
 */
class BFloat16OpsTest {
    static Stream<Device> devices() {
        return Backends4Test.devices();
    }

    private static final float[] EDGES = {0f, -0f, 1f, 1 + 0x1.0p-8f, 1 + 3 * 0x1.0p-8f, -2.7182817f, 3.1415927f, 65504f, 1e-40f, -1e-30f,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0x1.fefffep127f, 123456.79f, -0.1f};

    @ParameterizedTest
    @MethodSource("devices")
    void castsRoundToNearestEvenAndWidenExactly(Device d) {
        Tensor f = Tensor.of(EDGES, EDGES.length).to(d);
        Tensor h = f.cast(DType.BFLOAT16);
        assertEquals(DType.BFLOAT16, h.dtype());
        short[] bits = h.toBFloat16Array();
        for (int i = 0; i < EDGES.length; i++) {
            float want = BFloat16.round(EDGES[i]), got = BFloat16.toFloat(bits[i]);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got), "cast of " + EDGES[i] + " on " + d);
        }
        float[] back = h.cast(DType.FLOAT32).toFloatArray();
        for (int i = 0; i < EDGES.length; i++) assertEquals(BFloat16.toFloat(bits[i]), back[i], "widening is exact");
        double[] wide = h.cast(DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < EDGES.length; i++) assertEquals(back[i], wide[i], "to float64");
        // integers: truncated from the bfloat16 value (Java's casts: NaN to 0, saturating), and back through float32
        Tensor small = Tensor.of(new float[] {2.5f, -3.75f, 1000.5f, 70000f}, 4).to(d).cast(DType.BFLOAT16);
        assertArrayEquals(new long[] {2, -3, 1000, 70144}, small.cast(DType.INT64).toLongArray());
        assertArrayEquals(new int[] {2, -3, 1000, 70144}, small.cast(DType.INT32).toIntArray());
        Tensor ints = Tensor.ofLongs(new long[] {257, 16_777_217L, -3}, 3).to(d).cast(DType.BFLOAT16);
        assertArrayEquals(new float[] {256, 16_777_216, -3}, ints.toFloatArray(), "257 is a tie to the even 256");
        // host bits in and out, a transposed (strided) copy, and fill
        short[] in = BFloat16.fromFloats(new float[] {1, 2, 3, 4, 5, 6});
        Tensor m = Tensor.ofBFloat16(in, 2, 3).to(d);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, m.mT().contiguous().toFloatArray());
        assertArrayEquals(new float[] {0.333984375f, 0.333984375f}, Tensor.full(new int[] {2}, 1.0 / 3, DType.BFLOAT16, d).toFloatArray());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void elementwiseOpsAreTheFloat32OpRoundedOnce(Device d) {
        Rng rng = new Rng(3);
        Tensor a = rng.uniform(new int[] {5, 7}, DType.FLOAT32, d).mul(6).sub(3).cast(DType.BFLOAT16);
        Tensor b = rng.uniform(new int[] {7}, DType.FLOAT32, d).mul(4).add(0.25).cast(DType.BFLOAT16); // broadcast, positive
        Tensor strided = rng.uniform(new int[] {7, 5}, DType.FLOAT32, d).cast(DType.BFLOAT16).mT(); // a non-contiguous view
        for (Unary op : Unary.values()) {
            Tensor x = op == Unary.LOG || op == Unary.SQRT || op == Unary.RSQRT ? b : a;
            assertSameBits(Ops.unary(op, x), Ops.unary(op, x.cast(DType.FLOAT32)), op + " on " + d);
        }
        for (Binary op : Binary.values()) {
            Tensor x = op == Binary.POW ? a.abs() : a;
            assertSameBits(Ops.binary(op, x, b), Ops.binary(op, x.cast(DType.FLOAT32), b.cast(DType.FLOAT32)), op + " broadcast on " + d);
            assertSameBits(Ops.binary(op, strided, x), Ops.binary(op, strided.cast(DType.FLOAT32), x.cast(DType.FLOAT32)), op + " strided on " + d);
        }
        Tensor cond = a.gt(b); // a bfloat16 condition
        assertEquals(DType.BFLOAT16, cond.dtype());
        Tensor w = Ops.where(cond, a, strided);
        assertSameBits(w, Ops.where(cond.cast(DType.FLOAT32), a.cast(DType.FLOAT32), strided.cast(DType.FLOAT32)), "where on " + d);
    }

    /** y (bfloat16) holds exactly the float32 result wide rounded to bfloat16. */
    private static void assertSameBits(Tensor y, Tensor wide, String what) {
        assertEquals(DType.BFLOAT16, y.dtype(), what);
        assertArrayEquals(wide.toBFloat16Array(), y.toBFloat16Array(), what);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void matmulAccumulatesInFloat32(Device d) {
        // 300 ones summed: exact in float32 and in bfloat16 (2^8 * 1.171875), but a bfloat16 running sum stalls at 256
        Tensor ones = Tensor.full(new int[] {1, 300}, 1, DType.BFLOAT16, d);
        assertEquals(300.0, ones.matmul(ones.mT()).item());
        // and the product of bfloat16 values is the float32 product of the same values, rounded once
        Rng rng = new Rng(5);
        Tensor x = rng.normal(new int[] {3, 33, 20}, DType.FLOAT32, d).cast(DType.BFLOAT16);
        Tensor w = rng.normal(new int[] {20, 9}, DType.FLOAT32, d).cast(DType.BFLOAT16);
        Tensor y = x.matmul(w);
        assertEquals(DType.BFLOAT16, y.dtype());
        double[] got = y.toDoubleArray(), ref = x.cast(DType.FLOAT64).matmul(w.cast(DType.FLOAT64)).toDoubleArray();
        for (int i = 0; i < ref.length; i++) {
            // the rounding of the result (2^-9 relative) and float32 accumulation, nothing more
            assertEquals(ref[i], got[i], Math.abs(ref[i]) * 0x1.0p-8 + 1e-5, "element " + i + " on " + d);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void opsCheckedInBFloat16(Device d) {
        OpCheck.of("bf16 matmul", x -> x[0].matmul(x[1])).input(3, 5).input(5, 4).inBFloat16().check(d);
        OpCheck.of("bf16 matmul batched broadcast", x -> x[0].matmul(x[1])).input(2, 1, 3, 4).input(3, 4, 2).inBFloat16().check(d);
        OpCheck.of("bf16 matmul transposed operands", x -> x[0].mT().matmul(x[1].mT())).input(5, 3).input(4, 5).inBFloat16().check(d);
        OpCheck.of("bf16 mul broadcast", x -> x[0].mul(x[1])).input(4, 5).input(5).inBFloat16().check(d);
        OpCheck.of("bf16 div", x -> x[0].div(x[1])).input(3, 4).inputBetween(0.5, 2, 3, 4).inBFloat16().check(d);
        OpCheck.of("bf16 gelu", x -> Ops.unary(Unary.GELU, x[0])).input(13).inBFloat16().check(d);
        // ops without bfloat16 kernels, through float32
        OpCheck.of("bf16 sum", x -> x[0].sum(1, false)).input(3, 6).inBFloat16().check(d);
        OpCheck.of("bf16 softmax", x -> x[0].softmax(-1)).input(4, 9).inBFloat16().check(d);
        OpCheck.of("bf16 layer norm", x -> Functional.layerNorm(x[0], 1, x[1], x[2], 1e-5)).input(3, 8).input(8).input(8).inBFloat16().check(d);
        OpCheck.of("bf16 conv2d", x -> Ops.conv(x[0], x[1], new ConvSpec(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1)))
                .input(2, 3, 5, 5).input(4, 3, 3, 3).inBFloat16().check(d);
        OpCheck.of("bf16 index_select", x -> Functional.indexSelect(x[0], 0, Tensor.ofLongs(new long[] {2, 0, 2}, 3).to(x[0].device()))).input(4, 3).inBFloat16().check(d);
        OpCheck.of("bf16 argmax", x -> x[0].argmax(1, false)).input(3, 7).withoutGradients().inBFloat16().check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void randomBFloat16IsTheFloat32DrawRounded(Device d) {
        Tensor h = new Rng(11).normal(new int[] {1000}, DType.BFLOAT16, d);
        Tensor f = new Rng(11).normal(new int[] {1000}, DType.FLOAT32, d);
        assertSameBits(h, f, "normal on " + d);
    }
}

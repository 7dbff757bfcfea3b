package dpvm.tensor;

/**
 * bfloat16: the upper 16 bits of a float32 (sign, the same 8-bit exponent, 7 mantissa bits), so it spans
 * float32's range at about three significant decimal digits. Conversions round to nearest even, as the GPU's
 * {@code __float2bfloat16_rn} and PyTorch do; NaN stays NaN (made quiet), infinities and signed zeros stay,
 * and a float32 above the largest bfloat16 (3.39e38) rounds to infinity.
 */
public final class BFloat16 {
    private BFloat16() {}

    /** The largest finite bfloat16, 0x7f7f. */
    public static final float MAX = toFloat((short) 0x7f7f);

    /** The bits of the bfloat16 nearest to {@code v} (ties to even). */
    public static short fromFloat(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x0040); // NaN: keep sign, make quiet
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }

    /** The float32 with the same value (exact). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** {@code v} rounded to bfloat16 and back: the value a bfloat16 tensor stores for it. */
    public static float round(float v) {
        return toFloat(fromFloat(v));
    }

    /** Bits of each value (a bfloat16 tensor's host array). */
    public static short[] fromFloats(float[] values) {
        short[] out = new short[values.length];
        for (int i = 0; i < values.length; i++) out[i] = fromFloat(values[i]);
        return out;
    }
}

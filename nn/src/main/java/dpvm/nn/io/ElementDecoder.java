package dpvm.nn.io;

import java.nio.ByteBuffer;

/** Reads element {@code i} of a little-endian buffer of a given dtype as double, float or long. */
final class ElementDecoder {
    private ElementDecoder() {
    }

    static double asDouble(ByteBuffer b, StoredDType t, int i) {
        switch (t) {
            case F64: return b.getDouble(i * 8);
            case F32: return b.getFloat(i * 4);
            case F16: return halfToFloat(b.getShort(i * 2));
            case BF16: return dpvm.tensor.BFloat16.toFloat(b.getShort(i * 2));
            default: return asLong(b, t, i);
        }
    }

    static float asFloat(ByteBuffer b, StoredDType t, int i) {
        switch (t) {
            case F32: return b.getFloat(i * 4);
            case F16: return halfToFloat(b.getShort(i * 2));
            case BF16: return dpvm.tensor.BFloat16.toFloat(b.getShort(i * 2));
            case F64: return (float) b.getDouble(i * 8);
            default: return asLong(b, t, i);
        }
    }

    /** Floating-point values are truncated toward zero, as a C cast would. */
    static long asLong(ByteBuffer b, StoredDType t, int i) {
        switch (t) {
            case I64: return b.getLong(i * 8);
            case I32: return b.getInt(i * 4);
            case I16: return b.getShort(i * 2);
            case I8: return b.get(i);
            case U8: return b.get(i) & 0xFF;
            case BOOL: return b.get(i) != 0 ? 1 : 0;
            case F64: return (long) b.getDouble(i * 8);
            default: return (long) asFloat(b, t, i);
        }
    }

    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            // Inf or NaN; keep the NaN payload so round trips stay bit-exact where possible.
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal half: value is mant * 2^-24, which a float represents exactly.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}

package dpvm.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The float32 to bfloat16 conversion against a rounding written from its definition. */
class BFloat16Test {
    /** The nearest bfloat16 to a finite v by distance, ties to the even bit pattern; overflow to infinity. */
    private static short nearest(float v) {
        int bits = Float.floatToRawIntBits(v);
        short down = (short) (bits >>> 16); // toward zero
        short up = (short) (down + 1);      // away from zero (the next pattern; 0x7f80 is infinity)
        double dDown = Math.abs((double) v - BFloat16.toFloat(down));
        double dUp = Math.abs(BFloat16.toFloat(up) - (double) v);
        if ((up & 0x7fff) == 0x7f80) {
            // above the largest finite: infinity once v reaches the midpoint to the next power of two
            dUp = Math.abs(0x1.0p128 - Math.abs((double) v));
        }
        if (dDown != dUp) return dDown < dUp ? down : up;
        return (down & 1) == 0 ? down : up;
    }

    @Test
    void roundsToNearestEvenOnEveryKindOfValue() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 2_000_000; i++) {
            float v = Float.intBitsToFloat(r.nextInt());
            if (Float.isNaN(v) || Float.isInfinite(v)) continue;
            assertEquals(nearest(v), BFloat16.fromFloat(v), () -> "fromFloat(" + v + ")");
        }
        float ulp = 0x1.0p-7f; // of 1.0 in bfloat16
        assertEquals(1f, BFloat16.round(1 + ulp / 2), "a tie goes to the even 1.0");
        assertEquals(1 + 2 * ulp, BFloat16.round(1 + 3 * ulp / 2), "a tie goes to the even 1 + 2 ulp");
        assertEquals(1 + ulp, BFloat16.round(1 + ulp / 2 + 0x1.0p-20f), "just above a tie rounds up");
        assertEquals(Float.POSITIVE_INFINITY, BFloat16.round(Float.MAX_VALUE), "float32's largest rounds past bfloat16's");
        assertEquals(0x1.fep127f, BFloat16.MAX);
        assertEquals(BFloat16.MAX, BFloat16.round(0x1.fefffep127f), "below the midpoint stays finite");
        assertEquals(Float.NEGATIVE_INFINITY, BFloat16.round(Float.NEGATIVE_INFINITY));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(BFloat16.round(-0f)), "negative zero keeps its sign");
        assertEquals(Float.MIN_NORMAL, BFloat16.round(Float.MIN_NORMAL));
        assertEquals(0x1.0p-133f, BFloat16.round(0x1.2p-133f), "subnormals round on the same grid");
    }

    @Test
    void everyBFloat16SurvivesTheRoundTripAndNaNStaysQuietNaN() {
        for (int b = 0; b < 1 << 16; b++) {
            short bits = (short) b;
            float v = BFloat16.toFloat(bits);
            if (Float.isNaN(v)) {
                short back = BFloat16.fromFloat(v);
                assertTrue(Float.isNaN(BFloat16.toFloat(back)), "NaN " + Integer.toHexString(b) + " stays NaN");
                assertEquals(bits & 0x8000, back & 0x8000, "NaN keeps its sign");
                assertEquals(0x40, back & 0x40, "and is quiet");
            } else {
                assertEquals(bits, BFloat16.fromFloat(v), "round trip of " + Integer.toHexString(b));
            }
        }
        // a NaN whose payload lies only in the dropped bits must not become infinity
        assertTrue(Float.isNaN(BFloat16.round(Float.intBitsToFloat(0x7f800001))));
    }
}

package dpvm.kernels.runtime;

import dpvm.tensor.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeometryTest {
    /** The device side of geo_offsets_fast's division, in Java's unsigned arithmetic. */
    private static long quotient(long n, long[] m) {
        long hi = (n * m[0]) >>> 32;
        return (hi + n) >>> m[1];
    }

    @Test
    void magicDivisionIsExactForEveryIndexBelow2To31() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        int[] divisors = {1, 2, 3, 5, 7, 28, 56, 64, 100, 3136, 50176, 65535, 65536, 1 << 20, (1 << 30) + 1, Integer.MAX_VALUE};
        for (int d : divisors) {
            long[] m = Geometry.divisor(d);
            long[] ns = {0, 1, d - 1L, d, d + 1L, 2L * d - 1, Integer.MAX_VALUE, Integer.MAX_VALUE - 1L, (long) Integer.MAX_VALUE / d * d, (long) Integer.MAX_VALUE / d * d - 1};
            for (long n : ns) if (n >= 0 && n <= Integer.MAX_VALUE) assertEquals(n / d, quotient(n, m), n + " / " + d);
            for (int k = 0; k < 20000; k++) {
                long n = r.nextInt(Integer.MAX_VALUE);
                assertEquals(n / d, quotient(n, m), n + " / " + d);
            }
        }
        for (int k = 0; k < 20000; k++) {
            int d = 1 + r.nextInt(Integer.MAX_VALUE - 1);
            long n = r.nextInt(Integer.MAX_VALUE);
            assertEquals(n / d, quotient(n, Geometry.divisor(d)), n + " / " + d);
        }
    }

    @Test
    void walkPacksSizesMagicShiftsAndStrides() {
        int[] g = Geometry.pack(new int[] {4, 3, 5}, new int[][] {{15, 5, 1}, {0, 1, 0}}, 2);
        assertEquals(3, g[0]);
        assertArrayEquals(new int[] {4, 3, 5}, java.util.Arrays.copyOfRange(g, 1, 4));
        assertEquals((int) Geometry.divisor(3)[0], g[1 + Geometry.MAX_DIMS + 1]);
        assertEquals(3, g[1 + 2 * Geometry.MAX_DIMS + 2], "shift for 5 is ceil(log2 5)");
        assertEquals(1 + 3 * Geometry.MAX_DIMS + 2 * Geometry.MAX_DIMS, g.length);
        assertArrayEquals(new int[] {0, 1, 0}, java.util.Arrays.copyOfRange(g, Geometry.STRIDES + Geometry.MAX_DIMS, Geometry.STRIDES + Geometry.MAX_DIMS + 3));
        assertEquals(0, Geometry.pack(new int[] {0, 3}, new int[][] {{3, 1}})[1], "an empty walk packs (and launches nothing)");
        assertEquals(Geometry.INTS, Geometry.pack(new int[] {4, 3, 5}, new int[][] {{15, 5, 1}, {0, 1, 0}}).length, "four operand slots by default");
    }

    @Test
    void contiguousOperandsCollapseToOneRun() {
        int[] g = Geometry.pack(new int[] {2, 3, 4}, new int[][] {{12, 4, 1}, {12, 4, 1}});
        assertEquals(1, g[0]);
        assertEquals(24, g[1]);
        assertTrue(Geometry.isFlat(g, 2));
    }

    @Test
    void broadcastAndTransposedDimsStaySeparate() {
        int[] shape = {3, 5};
        int[] bs = Shape.broadcastStrides(new int[] {5}, new int[] {1}, shape);
        assertArrayEquals(new int[] {0, 1}, bs);
        int[][] c = Shape.collapse(shape, new int[][] {{5, 1}, bs});
        assertArrayEquals(new int[] {3, 5}, c[0]);
        int[][] t = Shape.collapse(new int[] {4, 6}, new int[][] {{6, 1}, {1, 4}});
        assertArrayEquals(new int[] {4, 6}, t[0]);
        assertArrayEquals(new int[] {1, 4}, t[2]);
        assertFalse(Geometry.isFlat(Geometry.pack(new int[] {4, 6}, new int[][] {{6, 1}, {1, 4}}), 2));
    }

    @Test
    void sizeOneDimsDropAndScalarsBecomeOneElement() {
        int[][] c = Shape.collapse(new int[] {1, 7, 1}, new int[][] {{7, 1, 1}});
        assertArrayEquals(new int[] {7}, c[0]);
        int[][] s = Shape.collapse(new int[0], new int[][] {{}});
        assertArrayEquals(new int[] {1}, s[0]);
        assertArrayEquals(new int[] {0}, s[1]);
    }

    @Test
    void slicedViewKeepsItsStride() {
        // every other element of the last dim, as OpCheck's poisoned views
        int[][] c = Shape.collapse(new int[] {3, 4}, new int[][] {{4, 1}, {8, 2}});
        assertArrayEquals(new int[] {12}, c[0]);
        assertArrayEquals(new int[] {2}, c[2]);
    }

    @Test
    void moreThanEightUnmergeableDimsAreRejected() {
        int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        int[] strides = new int[9];
        for (int i = 0; i < 9; i++) strides[i] = 1 << (2 * (8 - i)); // gaps everywhere: nothing merges
        assertThrows(IllegalArgumentException.class, () -> Geometry.pack(shape, new int[][] {strides}));
    }
}

package dpvm.kernels.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeometryTest {
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
        int[] bs = Geometry.broadcastStrides(new int[] {5}, new int[] {1}, shape);
        assertArrayEquals(new int[] {0, 1}, bs);
        int[][] c = Geometry.collapse(shape, new int[][] {{5, 1}, bs});
        assertArrayEquals(new int[] {3, 5}, c[0]);
        int[][] t = Geometry.collapse(new int[] {4, 6}, new int[][] {{6, 1}, {1, 4}});
        assertArrayEquals(new int[] {4, 6}, t[0]);
        assertArrayEquals(new int[] {1, 4}, t[2]);
        assertFalse(Geometry.isFlat(Geometry.pack(new int[] {4, 6}, new int[][] {{6, 1}, {1, 4}}), 2));
    }

    @Test
    void sizeOneDimsDropAndScalarsBecomeOneElement() {
        int[][] c = Geometry.collapse(new int[] {1, 7, 1}, new int[][] {{7, 1, 1}});
        assertArrayEquals(new int[] {7}, c[0]);
        int[][] s = Geometry.collapse(new int[0], new int[][] {{}});
        assertArrayEquals(new int[] {1}, s[0]);
        assertArrayEquals(new int[] {0}, s[1]);
    }

    @Test
    void slicedViewKeepsItsStride() {
        // every other element of the last dim, as OpCheck's poisoned views
        int[][] c = Geometry.collapse(new int[] {3, 4}, new int[][] {{4, 1}, {8, 2}});
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

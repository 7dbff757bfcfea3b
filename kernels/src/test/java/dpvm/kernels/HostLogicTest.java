package dpvm.kernels;

import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Host-side decisions of the GPU ops, checked on CPU tensors (their views have the same strides). */
class HostLogicTest {
    @Test
    void batchStridesOfCublasOperands() {
        Tensor a = Tensor.zeros(4, 5, 3);
        assertEquals(15, Blas.evenBatchStride(a, new int[] {4}));
        Tensor b = Tensor.zeros(5, 3);
        assertEquals(0, Blas.evenBatchStride(b, new int[] {4}), "a 2-d operand broadcast over the batch repeats one matrix");
        Tensor c = Tensor.zeros(2, 1, 5, 3);
        assertEquals(-1, Blas.evenBatchStride(c, new int[] {2, 3}), "offsets 0,0,0,15,15,15 are not evenly spaced");
        Tensor d = Tensor.zeros(3, 4, 5, 6).permute(1, 0, 2, 3);
        assertEquals(-1, Blas.evenBatchStride(d, new int[] {4, 3}), "permuted batch dims");
        Tensor e = Tensor.zeros(6, 5, 3).slice(0, 0, 6, 2);
        assertEquals(30, Blas.evenBatchStride(e, new int[] {3}), "every other matrix");
    }

    @Test
    void layerNormRowPlansCoverEveryRowLength() {
        assertEquals(new Norm.RowPlan("w1", 256, 8), Norm.RowPlan.of(1));
        assertEquals(new Norm.RowPlan("w4", 256, 8), Norm.RowPlan.of(100));
        assertEquals(new Norm.RowPlan("w32", 256, 8), Norm.RowPlan.of(1024));
        assertEquals(new Norm.RowPlan("b", 128, 1), Norm.RowPlan.of(1025));
        assertEquals(new Norm.RowPlan("b", 256, 1), Norm.RowPlan.of(4096));
        assertEquals(new Norm.RowPlan("b", 512, 1), Norm.RowPlan.of(8192));
        assertEquals(new Norm.RowPlan("wide", 1024, 1), Norm.RowPlan.of(8193));
        for (int inner = 0; inner <= 9000; inner++) {
            Norm.RowPlan p = Norm.RowPlan.of(inner);
            boolean warp = p.variant().matches("w[0-9]+");
            int values = warp ? 32 * Integer.parseInt(p.variant().substring(1)) : p.variant().equals("b") ? p.threads() * Norm.BLOCK_VALUES : Integer.MAX_VALUE;
            assertTrue(values >= inner && p.threads() % 32 == 0 && p.threads() <= (p.variant().equals("b") ? 512 : 1024), "inner " + inner + ": " + p);
            assertEquals(warp ? p.threads() / 32 : 1, p.rowsPerBlock());
        }
        assertEquals(2, Norm.RowPlan.of(64).blocks(9));
        assertEquals(65535 * 16, Norm.RowPlan.of(8193).blocks(Integer.MAX_VALUE));
    }

    @Test
    void layerNormColumnChunksCoverEveryRowOnce() {
        for (int rows : new int[] {1, 7, 8, 9, 100, 4096, 100_000}) {
            for (int inner : new int[] {1, 7, 1000, 4096, 1 << 20}) {
                int[] c = Norm.columnChunks(rows, inner);
                int chunks = c[0], per = c[1];
                assertTrue(chunks >= 1 && (long) (chunks - 1) * per < rows && (long) chunks * per >= rows, rows + " x " + inner);
                assertTrue((long) chunks * inner <= Math.max(inner, 1 << 18), rows + " x " + inner);
            }
        }
    }

    @Test
    void convolutionOutputShapesMatchTheCpuGeometry() {
        ConvSpec s = new ConvSpec(new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 1);
        assertArrayEquals(new int[] {2, 6, 4, 3}, Convolution.outShape(new int[] {2, 3, 7, 7}, new int[] {6, 3, 3, 3}, s));
        ConvSpec one = new ConvSpec(new int[] {1}, new int[] {1}, new int[] {1}, 1);
        assertArrayEquals(new int[] {1, 4, 9}, Convolution.outShape(new int[] {1, 2, 9}, new int[] {4, 2, 3}, one));
    }
}

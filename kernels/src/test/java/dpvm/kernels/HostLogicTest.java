package dpvm.kernels;

import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
    void convolutionOutputShapesMatchTheCpuGeometry() {
        ConvSpec s = new ConvSpec(new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 1);
        assertArrayEquals(new int[] {2, 6, 4, 3}, Convolution.outShape(new int[] {2, 3, 7, 7}, new int[] {6, 3, 3, 3}, s));
        ConvSpec one = new ConvSpec(new int[] {1}, new int[] {1}, new int[] {1}, 1);
        assertArrayEquals(new int[] {1, 4, 9}, Convolution.outShape(new int[] {1, 2, 9}, new int[] {4, 2, 3}, one));
    }
}

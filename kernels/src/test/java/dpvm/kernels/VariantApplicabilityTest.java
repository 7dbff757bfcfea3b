package dpvm.kernels;

import dpvm.tensor.DType;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each dispatch site says about a forced variant's operands, checked on CPU tensors (same strides). */
class VariantApplicabilityTest {
    @Test
    void flatBinaryKernelsNeedDenseSameShapeOperands() {
        Tensor a = Tensor.zeros(4, 6), b = Tensor.zeros(4, 6);
        assertNull(Elementwise.whyNotFlat(a, b, new int[] {4, 6}));
        assertTrue(Elementwise.whyNotFlat(a, Tensor.zeros(6), new int[] {4, 6}).contains("is broadcast to"));
        assertTrue(Elementwise.whyNotFlat(a, Tensor.zeros(6, 4).mT(), new int[] {4, 6}).contains("is not contiguous"));
    }

    @Test
    void float4KernelNeedsFloat32AWholeNumberOfVectorsAndAlignedAddresses() {
        assertNull(Elementwise.whyNotFlat4(DType.FLOAT32, 1024, 0x1000, 0x2000, 0x3000));
        assertEquals("flat4 is float32 only, got float64", Elementwise.whyNotFlat4(DType.FLOAT64, 1024, 0x1000, 0x2000, 0x3000));
        assertEquals("the length 1001 is not a multiple of 4", Elementwise.whyNotFlat4(DType.FLOAT32, 1001, 0x1000, 0x2000, 0x3000));
        assertEquals("the addresses out 0x1000, a 0x2004, b 0x3000 are not all 16-byte aligned",
                Elementwise.whyNotFlat4(DType.FLOAT32, 1024, 0x1000, 0x2004, 0x3000));
    }

    @Test
    void layerNormLayoutsHoldRowsUpToTheirRegisterBudgetAndTheAutomaticOneIsTheNarrowest() {
        for (int inner : new int[] {1, 31, 1024, 1025, 8192, 8193, 100_000}) {
            assertEquals(inner > Norm.WARP_ROWS_MAX, Norm.RowPlan.whyNot("warp", inner) != null, "warp " + inner);
            assertEquals(inner > Norm.BLOCK_ROWS_MAX, Norm.RowPlan.whyNot("block", inner) != null, "block " + inner);
            assertNull(Norm.RowPlan.whyNot("wide", inner), "wide " + inner);
            String auto = Norm.RowPlan.automatic(inner);
            assertNull(Norm.RowPlan.whyNot(auto, inner));
            assertEquals(Norm.RowPlan.of(inner), Norm.RowPlan.of(auto, inner));
        }
        assertEquals("rows of 2000 values exceed the warp kernel's 1024", Norm.RowPlan.whyNot("warp", 2000));
        assertEquals(new Norm.RowPlan("b", 128, 1), Norm.RowPlan.of("block", 300), "a short row forced onto the block kernel");
        assertEquals(new Norm.RowPlan("w16", 256, 8), Norm.RowPlan.of("warp", 300));
    }

    @Test
    void columnReductionNeedsLeadingDimsOfAContiguousTensor() {
        Tensor x = Tensor.zeros(3, 4, 5);
        assertNull(Reductions.whyNotColumns(x, new int[] {0, 1}));
        assertTrue(Reductions.whyNotColumns(x, new int[] {1}).startsWith("it reduces leading dims only"));
        assertTrue(Reductions.whyNotColumns(x.transpose(0, 2), new int[] {0}).startsWith("it reads a contiguous tensor"));
    }

    @Test
    void memcpyNeedsSameDtypeShapeAndDenseTensors() {
        Tensor src = Tensor.zeros(4, 6);
        assertNull(Transfers.whyNotMemcpy(Tensor.zeros(4, 6), src));
        assertTrue(Transfers.whyNotMemcpy(Tensor.zeros(new int[] {4, 6}, DType.FLOAT64, dpvm.tensor.Device.CPU), src).startsWith("it converts no dtype"));
        assertTrue(Transfers.whyNotMemcpy(Tensor.zeros(4, 6), Tensor.zeros(6)).startsWith("it broadcasts nothing"));
        assertTrue(Transfers.whyNotMemcpy(Tensor.zeros(6, 4), src.mT()).startsWith("it needs contiguous tensors"));
    }
}

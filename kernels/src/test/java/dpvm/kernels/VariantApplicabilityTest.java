package dpvm.kernels;

import dpvm.tensor.DType;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
    void vectorKernelNeedsOneWholeVectorAndAlignedAddresses() {
        String[] abc = {"out", "a", "b"};
        assertNull(Elementwise.whyNotVector(DType.FLOAT32, 1001, abc, 0x1000, 0x2000, 0x3000), "the elements past the last vector are a tail, not a refusal");
        assertNull(Elementwise.whyNotVector(DType.BFLOAT16, 8, new String[] {"out", "x"}, 0x1000, 0x2000));
        assertEquals(List.of(4, 2, 4, 2, 8), Arrays.stream(DType.values()).map(Elementwise::vectorElements).toList());
        assertEquals("the length 7 is shorter than one 16-byte vector (8 bfloat16 elements)", Elementwise.whyNotVector(DType.BFLOAT16, 7, abc, 0x1000, 0x2000, 0x3000));
        assertEquals("the addresses out 0x1000, a 0x2004, b 0x3000 are not all 16-byte aligned",
                Elementwise.whyNotVector(DType.FLOAT32, 1024, abc, 0x1000, 0x2004, 0x3000));
        assertEquals("the addresses out 0x1000, x 0x2008 are not all 16-byte aligned", Elementwise.whyNotVector(DType.FLOAT64, 1024, new String[] {"out", "x"}, 0x1000, 0x2008));
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
    void columnReductionNeedsOneRunOfReducedDimsOfAContiguousTensor() {
        Tensor x = Tensor.zeros(3, 4, 5);
        assertNull(Reductions.whyNotColumns(x, new int[] {0, 1}));
        assertArrayEquals(new int[] {1, 12, 5}, Reductions.columnView(x, new int[] {0, 1}), "leading dims");
        assertArrayEquals(new int[] {3, 4, 5}, Reductions.columnView(x, new int[] {1}), "a dim in between, as a mean over time");
        assertArrayEquals(new int[] {1, 60, 1}, Reductions.columnView(x, new int[] {0, 1, 2}), "everything");
        assertNull(Reductions.columnView(x, new int[] {0, 2}));
        assertTrue(Reductions.whyNotColumns(x, new int[] {0, 2}).startsWith("the reduced dims [0, 2] of [3, 4, 5] are not one run"));
        assertTrue(Reductions.whyNotColumns(x.transpose(0, 2), new int[] {0}).startsWith("it reads a contiguous tensor"));
    }

    @Test
    void splitReductionReadsOneRunOfKeptDimsBetweenReducedOnesInPlace() {
        Tensor x = Tensor.zeros(2, 3, 4, 5);
        assertArrayEquals(new int[] {2, 3, 20}, Reductions.splitView(x, new int[] {0, 2, 3}), "batch-norm statistics");
        assertArrayEquals(new int[] {1, 6, 20}, Reductions.splitView(x, new int[] {2, 3}), "trailing dims");
        assertArrayEquals(new int[] {6, 20, 1}, Reductions.splitView(x, new int[] {0, 1}), "leading dims");
        assertArrayEquals(new int[] {1, 1, 120}, Reductions.splitView(x, new int[] {0, 1, 2, 3}), "everything");
        assertArrayEquals(new int[] {2, 12, 5}, Reductions.splitView(x, new int[] {0, 3}), "two kept dims in a row");
        assertArrayEquals(new int[] {1, 3, 20}, Reductions.splitView(Tensor.zeros(1, 3, 4, 5), new int[] {2, 3}), "size-1 dims count either way");
        assertArrayEquals(new int[] {2, 3, 20}, Reductions.splitView(Tensor.zeros(2, 1, 3, 4, 5), new int[] {0, 3, 4}));
        assertNull(Reductions.splitView(x, new int[] {1, 2}), "kept dims 0 and 3 are not one run");
        assertNull(Reductions.whyNotSplit(x, new int[] {0, 2, 3}));
        assertTrue(Reductions.whyNotSplit(x, new int[] {1, 2}).startsWith("the kept dims of [2, 3, 4, 5] are not one run"));
        assertTrue(Reductions.whyNotSplit(x.transpose(0, 3), new int[] {0}).startsWith("it reads a contiguous tensor"));
    }

    @Test
    void splitPlanFillsTheGpuWithoutEmptyOrTinyChunks() {
        for (int sms : new int[] {2, 132}) {
            for (int rows : new int[] {1, 3, 64, 1000, 100_000}) {
                for (int items : new int[] {1, 7, 4095, 4096, 8193, 100_000, 1_605_632, 51_380_224}) {
                    int[] plan = Reductions.splitPlan(rows, items, Reductions.SPLIT_MIN_ITEMS, sms);
                    int splits = plan[0], chunk = plan[1];
                    String at = rows + " rows of " + items + " items on " + sms + " SMs: " + splits + " x " + chunk;
                    assertTrue(splits >= 1 && splits <= Reductions.SPLIT_MOST, at);
                    assertTrue((long) (splits - 1) * chunk < items && (long) splits * chunk >= items, "every chunk holds items, and they cover the row: " + at);
                    assertTrue(splits == 1 || chunk >= Reductions.SPLIT_MIN_ITEMS / 2, "no tiny chunks: " + at);
                    if ((long) rows * splits < (long) Reductions.SPLIT_BLOCKS_PER_SM * sms)
                        assertTrue(splits == Reductions.SPLIT_MOST || items / Reductions.SPLIT_MIN_ITEMS <= splits, "as many blocks as the items allow: " + at);
                }
            }
        }
        // batch-norm statistics of 32x64x16x56x56 on an H100 (132 SMs): 64 channels x 9 splits >= 4 blocks per SM
        assertArrayEquals(new int[] {9, 5_708_914}, Reductions.splitPlan(64, 51_380_224, Reductions.SPLIT_MIN_ITEMS, 132));
        // the bias gradient of a linear layer, [8192, 768] summed over rows: 24 tiles of 32 columns, 22 chunks
        assertArrayEquals(new int[] {22, 373}, Reductions.splitPlan(24, 8192, Reductions.SPLIT_MIN_ITEMS / 32, 132));
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

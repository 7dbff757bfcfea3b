package dpvm.kernels;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading ptxas's resource report in the wording NVRTC 13.1 prints it. */
class PtxasInfoTest {
    private static final String LOG = String.join("\n",
            "ptxas info    : 297 bytes gmem",
            "ptxas info    : Compiling entry function 'binary_vector_f32' for 'sm_90'",
            "ptxas info    : Function properties for binary_vector_f32",
            "ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads",
            "ptxas info    : Used 46 registers, used 0 barriers",
            "ptxas info    : Compile time = 21.884 ms",
            "ptxas info    : Function properties for __internal_accurate_pow",
            "ptxas         .     48 bytes stack frame, 8 bytes spill stores, 8 bytes spill loads",
            "ptxas info    : Compiling entry function 'softmax_bwd_r32_f32' for 'sm_120'",
            "ptxas info    : Function properties for softmax_bwd_r32_f32",
            "ptxas         .     184 bytes stack frame, 184 bytes spill stores, 216 bytes spill loads",
            "ptxas info    : Used 254 registers, used 1 barriers, 256 bytes smem, 32 bytes cumulative stack size");

    @Test
    void readsEachEntrysRegistersFrameSpillsAndSharedMemory() {
        List<PtxasInfo> kernels = PtxasInfo.parse(LOG);
        assertEquals(List.of(new PtxasInfo("binary_vector_f32", 90, 46, 0, 0, 0, 0),
                new PtxasInfo("softmax_bwd_r32_f32", 120, 254, 184, 184, 216, 256)), kernels);
        assertFalse(kernels.get(0).spills(), "the spilling device function between the entries is not the first entry's");
        assertTrue(kernels.get(1).spills());
    }

    @Test
    void anEntryWithoutItsLinesIsAnErrorNotACleanKernel() {
        String noFrame = "ptxas info    : Compiling entry function 'k' for 'sm_90'\nptxas info    : Used 12 registers, used 0 barriers";
        assertTrue(assertThrows(IllegalStateException.class, () -> PtxasInfo.parse(noFrame)).getMessage().contains("k lacks its stack frame"));
        String noUsed = "ptxas info    : Compiling entry function 'k' for 'sm_90'\nptxas info    : Function properties for k\n"
                + "ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads";
        assertTrue(assertThrows(IllegalStateException.class, () -> PtxasInfo.parse(noUsed)).getMessage().contains("k lacks a 'Used N registers' line"));
        assertEquals(List.of(), PtxasInfo.parse("nvrtc: no ptxas lines at all"));
    }
}

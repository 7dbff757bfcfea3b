package dpvm.kernels.lab;

import dpvm.kernels.runtime.KernelResources;
import dpvm.kernels.runtime.LaunchLog;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Merging a lab run's launches, and the occupancy and waves that the driver's figures give, without a GPU. */
class LaunchStatsTest {
    private static LaunchLog.Launch launch(String kernel, int grid, int block) {
        return new LaunchLog.Launch(kernel, null, grid, block, 0);
    }

    @Test
    void alikeLaunchesMergeInOrderAndTheDriverIsAskedOncePerRow() {
        List<String> asked = new ArrayList<>();
        List<LaunchStats> rows = LaunchStats.of(List.of(launch("reduce_f32", 264, 256), launch("finish_f32", 1, 256), launch("reduce_f32", 264, 256),
                launch("reduce_f32", 132, 256)), l -> {
                    asked.add(l.kernel() + "/" + l.grid());
                    return Optional.empty();
                });
        assertEquals(List.of("reduce_f32 x2 grid 264", "finish_f32 x1 grid 1", "reduce_f32 x1 grid 132"),
                rows.stream().map(r -> r.kernel() + " x" + r.calls() + " grid " + r.grid()).toList());
        assertEquals(List.of("reduce_f32/264", "finish_f32/1", "reduce_f32/132"), asked);
        assertTrue(Double.isNaN(rows.get(0).occupancyPercent(2048)) && Double.isNaN(rows.get(0).waves(132)), "nothing to say without the driver's figures");
    }

    @Test
    void occupancyCountsWholeWarpsAndWavesCountResidentBlocksOnTheWholeDevice() {
        // 3 resident blocks of 256 threads on a 2048-thread multiprocessor: 768 / 2048
        LaunchStats softmax = new LaunchStats("softmax_fwd_r16_f32", 1, 8192, 256, 0, new KernelResources(75, 0, 256, 3));
        assertEquals(37.5, softmax.occupancyPercent(2048), 1e-12);
        assertEquals(8192.0 / (3 * 132), softmax.waves(132), 1e-12);
        // a 48-thread block still takes two whole warps
        LaunchStats odd = new LaunchStats("k", 1, 66, 48, 0, new KernelResources(32, 0, 0, 32));
        assertEquals(100.0 * 32 * 64 / 2048, odd.occupancyPercent(2048), 1e-12);
        assertEquals(66.0 / (32 * 132), odd.waves(132), 1e-12);
    }

    @Test
    void theReportTabulatesEachVariantsKernelsWithTheDriversFigures() {
        VariantRun vector = new VariantRun("vector", true, null, 0.2, null,
                List.of(new LaunchStats("binary_vector_f32", 1, 65536, 256, 0, new KernelResources(46, 0, 0, 8))), null);
        LabReport r = new LabReport("add", new int[] {67108864}, "cuda:0 H100 (sm_90, 132 SMs)", 132, 2048, 3, 20, 3.0 * 4 * 67108864, 0, null, 2900, List.of(vector));
        String text = printed(r);
        assertTrue(text.matches("(?s).*vector \\(auto\\) +binary_vector_f32 +1 +65536 +256 +0 +46 +0 +8 +100\\.0% +62\\.06\\n.*"), text);
        assertTrue(!text.contains("not reported"), text);

        VariantRun emulated = new VariantRun("vector", true, null, 0.2, null, List.of(new LaunchStats("binary_vector_f32", 1, 2, 256, 0, null)), null);
        String unknown = printed(new LabReport("add", new int[] {2048}, "cuda-emu", 2, 2048, 0, 1, 3.0 * 4 * 2048, 0, null, 1, List.of(emulated)));
        assertTrue(unknown.contains("registers, local memory and occupancy: not reported by cuda-emu"), unknown);

        VariantRun library = new VariantRun(null, false, null, 1.0, null, List.of(), null);
        String none = printed(new LabReport("matmul", new int[] {8, 8, 8}, "gpu", 132, 2048, 0, 1, 0, 1024, new int[] {8, 8, 8}, 1.0, List.of(library)));
        assertTrue(none.contains("kernels of ours launched: none (cuBLAS and cuDNN launch their own, not listed)"), none);
    }

    private static String printed(LabReport r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        r.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

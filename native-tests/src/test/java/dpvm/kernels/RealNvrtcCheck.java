package dpvm.kernels;

import dpvm.kernels.runtime.KernelSources;
import dpvm.kernels.runtime.Nvrtc;
import dpvm.tensor.DType;
import dpvm.tensor.Fused;
import dpvm.tensor.check.FusedPrograms;
import org.bytedeco.cuda.global.nvrtc;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real NVRTC of the CUDA version the presets were built for, not the emulator's stand-in, compiles every
 * kernel file and a generated fused kernel (every operator, float32 and float64) with the backend's options, for
 * the GPU generations people train on: Ampere (sm_80, sm_86), Ada (sm_89), Hopper (sm_90) and Blackwell
 * (sm_120). nvcc checks the same sources; NVRTC differs in having no system or CUDA headers of its own.
 *
 * <p>It also reads what ptxas says each kernel costs ({@link PtxasInfo}): registers, stack, spills and static
 * shared memory per architecture, written as a table to {@code -Ddpvm.nvrtc.report=FILE}. A kernel that spills
 * on sm_90, the H100 that the GPU runner measures, fails the check: these kernels are memory-bound, and a spill
 * there is traffic the benchmarks would pay for. Spills on the other architectures are printed, not failed:
 * ptxas may trade a few spilled bytes for occupancy there, and only a measurement on such a GPU can say whether
 * that was right. The build unpacks NVRTC from the presets' redistributable into target/nvrtc-real and runs this
 * in its own execution ({@code -Ddpvm.nvrtc.real=true}); anywhere else it is skipped.
 */
class RealNvrtcCheck {
    private static final int[] ARCHS = {80, 86, 89, 90, 120};
    private static final int MEASURED_ARCH = 90;
    private static final List<String> RESOURCE_REPORT = List.of("--ptxas-options=-v");

    @Test
    void everyKernelFileAndAGeneratedKernelCompileForEachArchitectureAndNoneSpillsOnTheH100() throws IOException {
        Assumptions.assumeTrue(Boolean.getBoolean("dpvm.nvrtc.real"), "runs in the build's nvrtc-real execution");
        CudaLibraries.require(CudaLibraries.Binding.NVRTC);
        int[] major = new int[1], minor = new int[1];
        assertEquals(0, nvrtc.nvrtcVersion(major, minor));
        String from = CudaLibraries.loadedFrom("libnvrtc.so");
        // the emulator's stand-in reports 0.1: reaching it here would check nothing
        assertTrue(major[0] >= 12, "NVRTC " + major[0] + "." + minor[0] + " from " + from + " is not the real one");
        Fused program = FusedPrograms.everyOperator();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, List<PtxasInfo>> kernels = new ConcurrentHashMap<>();
        long t0 = System.nanoTime();
        // one architecture a thread: each NVRTC program is independent
        Arrays.stream(ARCHS).parallel().forEach(arch -> {
            List<PtxasInfo> found = new ArrayList<>();
            for (String f : KernelSources.FILES) {
                try {
                    found.addAll(compile(f, KernelSources.read(f), arch, null));
                } catch (RuntimeException | AssertionError e) {
                    failures.add(f + " sm_" + arch + ": " + e.getMessage());
                }
            }
            for (DType t : List.of(DType.FLOAT32, DType.FLOAT64)) {
                String name = FusedKernels.kernelName(program, t);
                try {
                    found.addAll(compile(name + ".cu", FusedKernels.source(program, t, name), arch, name));
                } catch (RuntimeException | AssertionError e) {
                    failures.add(name + " sm_" + arch + ": " + e.getMessage());
                }
            }
            kernels.put(arch, found);
        });
        System.out.printf("NVRTC %d.%d (%s): %d kernel files and 2 generated kernels for %s, %d failed, %.1f s%n", major[0], minor[0], from,
                KernelSources.FILES.size(), Arrays.stream(ARCHS).mapToObj(a -> "sm_" + a).collect(Collectors.joining(", ")), failures.size(),
                (System.nanoTime() - t0) / 1e9);
        assertEquals(List.of(), failures, "sources the real NVRTC rejects");

        String report = System.getProperty("dpvm.nvrtc.report");
        if (report != null) Files.writeString(Path.of(report), ResourceTable.markdown(kernels, ARCHS, MEASURED_ARCH));
        System.out.println(ResourceTable.summary(kernels, ARCHS, MEASURED_ARCH) + (report != null ? "; table in " + report : ""));
        assertEquals(List.of(), kernels.get(MEASURED_ARCH).stream().filter(PtxasInfo::spills).toList(),
                "kernels that spill to local memory on sm_" + MEASURED_ARCH);
    }

    /** Compiles through the backend's options plus ptxas's report; checks the cubin and, when named, that it holds {@code kernel}. */
    private static List<PtxasInfo> compile(String file, String source, int arch, String kernel) {
        Nvrtc.Compiled c = Nvrtc.compileWithLog(file, source, KernelSources.HEADERS, KernelSources.headerTexts(), arch, RESOURCE_REPORT);
        byte[] cubin = c.cubin();
        assertTrue(cubin.length > 1000 && cubin[0] == 0x7f && cubin[1] == 'E' && cubin[2] == 'L' && cubin[3] == 'F', file + " for sm_" + arch + " is not an ELF cubin");
        List<PtxasInfo> found = PtxasInfo.parse(c.log());
        assertFalse(found.isEmpty(), file + " for sm_" + arch + ": ptxas reported no kernels");
        found.forEach(k -> assertEquals(arch, k.arch(), k.kernel() + " was compiled for the wrong architecture"));
        if (kernel != null) assertTrue(found.stream().anyMatch(k -> k.kernel().equals(kernel)), kernel + " is not in its sm_" + arch + " cubin");
        return found;
    }
}

package dpvm.kernels;

import dpvm.kernels.runtime.KernelSources;
import dpvm.kernels.runtime.Nvrtc;
import dpvm.tensor.DType;
import dpvm.tensor.Fused;
import dpvm.tensor.check.FusedPrograms;
import org.bytedeco.cuda.global.nvrtc;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real NVRTC of the CUDA version the presets were built for, not the emulator's stand-in, compiles every
 * kernel file and a generated fused kernel (every operator, float32 and float64) exactly as the backend does,
 * for the GPU generations people train on: Ampere (sm_80, sm_86), Ada (sm_89), Hopper (sm_90) and Blackwell
 * (sm_120). nvcc checks the same sources; NVRTC differs in having no system or CUDA headers of its own. The build
 * unpacks NVRTC from the presets' redistributable into target/nvrtc-real and runs this in its own execution
 * ({@code -Ddpvm.nvrtc.real=true}); anywhere else it is skipped.
 */
class RealNvrtcCheck {
    private static final int[] ARCHS = {80, 86, 89, 90, 120};

    @Test
    void everyKernelFileAndAGeneratedKernelCompileForEachArchitecture() {
        Assumptions.assumeTrue(Boolean.getBoolean("dpvm.nvrtc.real"), "runs in the build's nvrtc-real execution");
        CudaLibraries.require(CudaLibraries.Binding.NVRTC);
        int[] major = new int[1], minor = new int[1];
        assertEquals(0, nvrtc.nvrtcVersion(major, minor));
        String from = CudaLibraries.loadedFrom("libnvrtc.so");
        // the emulator's stand-in reports 0.1: reaching it here would check nothing
        assertTrue(major[0] >= 12, "NVRTC " + major[0] + "." + minor[0] + " from " + from + " is not the real one");
        Fused program = FusedPrograms.everyOperator();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        // one architecture a thread: each NVRTC program is independent, and the cache writes are atomic
        Arrays.stream(ARCHS).parallel().forEach(arch -> {
            for (String f : KernelSources.FILES) {
                try {
                    elf(Nvrtc.compile(f, KernelSources.read(f), KernelSources.HEADERS, KernelSources.headerTexts(), arch, List.of()), f, arch);
                } catch (RuntimeException | AssertionError e) {
                    failures.add(f + " sm_" + arch + ": " + e.getMessage());
                }
            }
            for (DType t : List.of(DType.FLOAT32, DType.FLOAT64)) {
                String name = FusedKernels.kernelName(program, t);
                try {
                    byte[] cubin = Nvrtc.compile(name + ".cu", FusedKernels.source(program, t, name), KernelSources.HEADERS, KernelSources.headerTexts(), arch, List.of());
                    elf(cubin, name, arch);
                    assertTrue(new String(cubin, StandardCharsets.ISO_8859_1).contains(name), name + " is not in its sm_" + arch + " cubin");
                } catch (RuntimeException | AssertionError e) {
                    failures.add(name + " sm_" + arch + ": " + e.getMessage());
                }
            }
        });
        System.out.printf("NVRTC %d.%d (%s): %d kernel files and 2 generated kernels for %s, %d failed, %.1f s%n", major[0], minor[0], from,
                KernelSources.FILES.size(), Arrays.stream(ARCHS).mapToObj(a -> "sm_" + a).collect(Collectors.joining(", ")), failures.size(),
                (System.nanoTime() - t0) / 1e9);
        assertEquals(List.of(), failures, "sources the real NVRTC rejects");
    }

    private static void elf(byte[] cubin, String what, int arch) {
        assertTrue(cubin.length > 1000 && cubin[0] == 0x7f && cubin[1] == 'E' && cubin[2] == 'L' && cubin[3] == 'F', what + " for sm_" + arch + " is not an ELF cubin");
    }
}

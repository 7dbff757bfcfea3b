package dpvm.kernels.runtime;

import dpvm.kernels.CudaLibraries;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles every kernel file through NVRTC exactly as the backend does (in-memory header, sm_90 machine code)
 * and checks the disk cache. NVRTC needs no GPU, only the library (and a driver library to load the JavaCPP
 * bindings, which a stub libcuda.so.1 satisfies); skipped with the reason where they cannot be loaded.
 */
class NvrtcCompileTest {
    @Test
    void everyKernelFileCompilesThroughNvrtcAndIsCached(@TempDir Path cache) {
        boolean ok = CudaLibraries.available(CudaLibraries.Binding.NVRTC);
        if (!ok) {
            try {
                CudaLibraries.require(CudaLibraries.Binding.NVRTC);
            } catch (RuntimeException e) {
                System.out.println("NvrtcCompileTest skipped: " + e.getMessage());
            }
        }
        Assumptions.assumeTrue(ok, "NVRTC cannot be loaded here");
        String old = System.setProperty("dpvm.kernels.cache", cache.toString()) == null ? null : "";
        try {
            for (String f : KernelSources.FILES) {
                byte[] cubin = Nvrtc.compile(f, KernelSources.read(f), KernelSources.HEADERS, KernelSources.headerTexts(), 90, List.of());
                assertTrue(cubin.length > 1000 && cubin[0] == 0x7f && cubin[1] == 'E', f + " did not give an ELF cubin");
                byte[] again = Nvrtc.compile(f, KernelSources.read(f), KernelSources.HEADERS, KernelSources.headerTexts(), 90, List.of());
                assertArrayEquals(cubin, again);
                assertEquals(List.of(), KernelNames.missing(f, cubin));
            }
            try (var files = Files.list(cache)) {
                assertTrue(files.count() >= KernelSources.FILES.size(), "one cached cubin per file");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } finally {
            if (old == null) System.clearProperty("dpvm.kernels.cache");
        }
    }

    @Test
    void compileErrorsCarryNvrtcsLog() {
        Assumptions.assumeTrue(CudaLibraries.available(CudaLibraries.Binding.NVRTC), "NVRTC cannot be loaded here");
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> Nvrtc.compile("broken.cu", "extern \"C\" __global__ void k() { undefined_name(); }", List.of(), List.of(), 90, List.of("-DX=" + System.nanoTime())));
        assertTrue(e.getMessage().contains("undefined_name"), e.getMessage());
    }
}

package dpvm.kernels;

import dpvm.kernels.runtime.KernelSources;
import dpvm.kernels.runtime.Nvrtc;
import dpvm.kernels.runtime.NvccCompileTest;
import dpvm.tensor.DType;
import dpvm.tensor.Expr;
import dpvm.tensor.Fused;
import dpvm.tensor.check.FusedPrograms;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CUDA source generated for fused programs: its shape, and (where nvcc is installed) that it compiles. */
class FusedSourceTest {
    private static final Expr X = Expr.input(0), Y = Expr.input(1), Z = Expr.input(2);

    @Test
    void sourceWalksEveryOperandAndKeepsProductsAndSumsApart() {
        Fused p = Fused.define("scale_shift", 3, X.mul(Y).add(Z));
        String name = FusedKernels.kernelName(p, DType.FLOAT32);
        String src = FusedKernels.source(p, DType.FLOAT32, name);
        assertTrue(name.matches("fused_scale_shift_[0-9a-f]{12}_f32"), name);
        assertTrue(src.contains("extern \"C\" __global__ void " + name + "(FusedGeo g, int n, float* __restrict__ out0, const float* __restrict__ in0"), src);
        assertTrue(src.contains("int stride[4][DPVM_MAX_DIMS]") && src.contains("geo_offsets<4>"), "one output and three inputs: " + src);
        // written as the round-to-nearest intrinsics, a product feeding a sum is never contracted into an FMA
        assertTrue(src.contains("__fmul_rn(v0, v1)") && src.contains("__fadd_rn(v2, v3)"), src);
        assertNotEquals(name, FusedKernels.kernelName(p, DType.FLOAT64), "one kernel per dtype");
        assertNotEquals(name, FusedKernels.kernelName(Fused.define("scale_shift", 3, X.mul(Y).sub(Z)), DType.FLOAT32), "one kernel per program text");
        String d = FusedKernels.source(Fused.define("half", 1, X.mul(0.5)), DType.FLOAT64, "k");
        assertTrue(d.contains("__longlong_as_double(0x3fe0000000000000LL)"), "constants as exact bits: " + d);
        assertThrows(IllegalArgumentException.class, () -> FusedKernels.source(p, DType.INT32, "k"));
    }

    @Test
    void generatedSourcesCompileForSm90(@TempDir Path tmp) throws Exception {
        Path nvcc = NvccCompileTest.nvcc();
        if (nvcc == null) System.out.println("FusedSourceTest skipped: nvcc is neither on the PATH nor at /usr/local/cuda/bin");
        Assumptions.assumeTrue(nvcc != null, "nvcc is neither on the PATH nor at /usr/local/cuda/bin");
        for (String h : KernelSources.HEADERS) Files.writeString(tmp.resolve(h), KernelSources.read(h));
        List<String> failures = new ArrayList<>();
        for (DType t : List.of(DType.FLOAT32, DType.FLOAT64)) {
            Fused p = FusedPrograms.everyOperator();
            String name = FusedKernels.kernelName(p, t);
            Path src = tmp.resolve(name + ".cu"), out = tmp.resolve(name + ".cubin");
            Files.writeString(src, FusedKernels.source(p, t, name));
            Process proc = new ProcessBuilder(nvcc.toString(), "-arch=sm_90", "-cubin", "-std=c++17", "-Werror", "all-warnings", "-I", tmp.toString(),
                    "-o", out.toString(), src.toString()).redirectErrorStream(true).start();
            String log = new String(proc.getInputStream().readAllBytes());
            assertTrue(proc.waitFor(300, TimeUnit.SECONDS), "nvcc timed out on " + name);
            if (proc.exitValue() != 0 || !Files.isRegularFile(out)) failures.add(name + ":\n" + log);
            else if (!new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1).contains(name)) failures.add(name + ": not in the cubin");
        }
        assertEquals(List.of(), failures, "generated kernels that nvcc rejects");
    }

    /** NVRTC, unlike nvcc, includes no CUDA headers of its own: the generated source must stand on the project's. */
    @Test
    void generatedSourcesCompileThroughNvrtc() {
        Assumptions.assumeTrue(CudaLibraries.available(CudaLibraries.Binding.NVRTC), "NVRTC cannot be loaded here");
        for (DType t : List.of(DType.FLOAT32, DType.FLOAT64)) {
            Fused p = FusedPrograms.everyOperator();
            String name = FusedKernels.kernelName(p, t);
            byte[] cubin = Nvrtc.compile(name + ".cu", FusedKernels.source(p, t, name), KernelSources.HEADERS, KernelSources.headerTexts(), 90, List.of());
            assertTrue(cubin.length > 1000 && cubin[0] == 0x7f && cubin[1] == 'E', name + " did not give an ELF cubin");
            assertTrue(new String(cubin, java.nio.charset.StandardCharsets.ISO_8859_1).contains(name), name + ": not in the cubin");
        }
    }
}

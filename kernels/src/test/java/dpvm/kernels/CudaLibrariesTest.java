package dpvm.kernels;

import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a machine without a usable GPU says, and how load failures are described. */
class CudaLibrariesTest {
    @Test
    void describesTheLibraryTheLoaderMissed() {
        Throwable e = new UnsatisfiedLinkError("no jnicudart in java.library.path");
        e.initCause(new UnsatisfiedLinkError("/tmp/cache/libjnicudart.so: libcuda.so.1: cannot open shared object file: No such file or directory"));
        assertEquals("libcuda.so.1 not found", CudaLibraries.describe(e));
        assertEquals("libcudnn_cnn.so.9 not found", CudaLibraries.describe(new UnsatisfiedLinkError("libcudnn_cnn.so.9: cannot open shared object file")));
    }

    @Test
    void makingACudaTensorWithoutAGpuSaysWhy() {
        String reason = CudaDevice.unavailableReason(0);
        Assumptions.assumeTrue(reason != null, "this machine has a usable GPU");
        System.out.println("cuda:0 here: " + reason);
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, () -> Tensor.zeros(new int[] {2}, DType.FLOAT32, Device.cuda(0)));
        assertTrue(e.getMessage().startsWith("CUDA unavailable: "), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*(lib\\S+\\.so\\S*|GPU).*"), "names the missing library or GPU: " + e.getMessage());
        // the second attempt gives the same answer, not a bare NoClassDefFoundError
        CudaUnavailableException again = assertThrows(CudaUnavailableException.class, () -> Tensor.zeros(new int[] {2}, DType.FLOAT32, Device.cuda(0)));
        assertEquals(e.getMessage(), again.getMessage());
    }

    @Test
    void versionsAndLoadedFilesAreReadable() {
        assertEquals("13.1", CudaLibraries.cudaVersion(13010));
        assertEquals("12.9", CudaLibraries.cudaVersion(12090));
        assertEquals("13.0", CudaLibraries.cudaVersion(13000));
        // every JVM maps the C library; its file is found by the start of its name, and never a longer name's
        String libc = CudaLibraries.loadedFrom("libc.so");
        assertTrue(libc.startsWith("/") && Path.of(libc).getFileName().toString().startsWith("libc.so"), libc);
        assertTrue(Files.exists(Path.of(libc)), libc);
        assertEquals("not mapped", CudaLibraries.loadedFrom("libdpvm-no-such-library.so"));
    }

    @Test
    void withoutAGpuTheProviderSaysWhyInOneLine() {
        String reason = CudaDevice.unavailableReason(0);
        Assumptions.assumeTrue(reason != null, "this machine has a usable GPU");
        List<String> lines = new CudaProvider().describe();
        assertEquals(List.of("cuda: unavailable: " + reason.substring("CUDA unavailable: ".length())), lines);
    }
}

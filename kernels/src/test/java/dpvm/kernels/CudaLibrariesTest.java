package dpvm.kernels;

import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

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
}

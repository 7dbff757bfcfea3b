package dpvm.nativetests;

import dpvm.kernels.CudaDevice;
import dpvm.tensor.Device;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every GPU-only check class shares: cuda:0, skipped with the reason where it cannot be used, and whether it
 * is the CUDA emulator (native-tests/emu), where checks may assert what only the emulator makes certain.
 */
abstract class GpuChecks {
    static final Device GPU = Device.cuda(0);

    @BeforeEach
    void needGpu() {
        String reason = CudaDevice.unavailableReason(0);
        Assumptions.assumeTrue(reason == null, reason);
    }

    static boolean emulator() {
        return CudaDevice.get(0).name().contains(" cuda-emu ");
    }

    /** The emulator with its default lazy streams (DPVM_EMU_STREAMS unset or lazy). */
    static boolean lazyStreams() {
        String mode = System.getenv("DPVM_EMU_STREAMS");
        return emulator() && (mode == null || mode.isEmpty() || mode.equals("lazy"));
    }
}

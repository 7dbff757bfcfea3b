package dpvm.nativetests;

import dpvm.kernels.CudaDevice;

/** Whether cuda:0 is the CUDA emulator (native-tests/emu), where checks may assert what only it makes certain. */
final class Emulator {
    private Emulator() {}

    static boolean active() {
        return CudaDevice.get(0).name().contains(" cuda-emu ");
    }

    /** The emulator with its default lazy streams (DPVM_EMU_STREAMS unset or lazy). */
    static boolean lazyStreams() {
        String mode = System.getenv("DPVM_EMU_STREAMS");
        return active() && (mode == null || mode.isEmpty() || mode.equals("lazy"));
    }
}

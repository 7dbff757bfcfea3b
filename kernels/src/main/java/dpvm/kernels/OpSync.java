package dpvm.kernels;

import org.bytedeco.cuda.global.cudart;

/**
 * {@code -Ddpvm.cuda.syncEachOp=true}: the backend waits for the GPU after every op, so an error inside a kernel
 * (an illegal address, a trap) is thrown by the op that queued it, named in the message, instead of by whatever
 * waits next; so is a bad index (see {@link IndexChecks}). For debugging: it removes all overlap of host and GPU.
 * Read at each op.
 */
final class OpSync {
    private OpSync() {}

    static boolean enabled() {
        return Boolean.getBoolean("dpvm.cuda.syncEachOp");
    }

    /** Whether a CUDA error is one a kernel raises while it runs, reported by a later call. */
    static boolean kernelFault(int error) {
        return error == cudart.cudaErrorIllegalAddress || error == cudart.cudaErrorLaunchTimeout || error == cudart.cudaErrorAssert
                || (error >= cudart.cudaErrorHardwareStackError && error <= cudart.cudaErrorLaunchFailure);
    }

    /** After op {@code name} (not while a graph is captured): waits, and names the op in an asynchronous error. */
    static void after(CudaDevice dev, String name) {
        if (!enabled() || dev.capturing()) return;
        try {
            dev.synchronize();
        } catch (CudaException e) {
            throw new CudaException("op " + name + " (or work queued before it without an op): " + e.getMessage());
        }
    }
}

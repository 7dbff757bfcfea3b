package dpvm.kernels.runtime;

import dpvm.kernels.Cuda;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.global.cudart;

import java.util.Optional;

/**
 * What the driver says a compiled kernel holds per thread and per block, and how many of its blocks a
 * multiprocessor keeps resident at a given block size: the numbers behind a kernel's occupancy.
 *
 * @param registers       registers per thread
 * @param localBytes      local memory per thread (stack frame and spills)
 * @param staticShared    {@code __shared__} bytes per block, before any dynamic shared memory
 * @param blocksResident  blocks of the asked size resident on one multiprocessor at once
 */
public record KernelResources(int registers, int localBytes, int staticShared, int blocksResident) {
    /** The driver's figures for {@code f} launched with {@code block} threads; empty where it does not report them (the emulator). */
    public static Optional<KernelResources> of(CUfunc_st f, int block, int dynamicShared) {
        int[] v = new int[1];
        int err = cudart.cuFuncGetAttribute(v, cudart.CU_FUNC_ATTRIBUTE_NUM_REGS, f);
        if (err == cudart.CUDA_ERROR_NOT_SUPPORTED) return Optional.empty();
        Cuda.checkDriver(err, "cuFuncGetAttribute(NUM_REGS)");
        int registers = v[0];
        Cuda.checkDriver(cudart.cuFuncGetAttribute(v, cudart.CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, f), "cuFuncGetAttribute(LOCAL_SIZE_BYTES)");
        int local = v[0];
        Cuda.checkDriver(cudart.cuFuncGetAttribute(v, cudart.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f), "cuFuncGetAttribute(SHARED_SIZE_BYTES)");
        int shared = v[0];
        Cuda.checkDriver(cudart.cuOccupancyMaxActiveBlocksPerMultiprocessor(v, f, block, dynamicShared), "cuOccupancyMaxActiveBlocksPerMultiprocessor");
        return Optional.of(new KernelResources(registers, local, shared, v[0]));
    }
}

package dpvm.kernels.runtime;

import dpvm.kernels.Cuda;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Compiled kernel modules of one device, loaded on first use of any of their functions. */
public final class Kernels {
    private final int arch;
    private final Map<String, CUmod_st> modules = new ConcurrentHashMap<>();
    private final Map<String, CUfunc_st> functions = new ConcurrentHashMap<>();

    public Kernels(int arch) {
        this.arch = arch;
    }

    /** The function {@code name} of kernel file {@code file} (e.g. "elementwise.cu", "binary_f32"). */
    public CUfunc_st function(String file, String name) {
        return functions.computeIfAbsent(file + ":" + name, k -> {
            CUfunc_st f = new CUfunc_st();
            Cuda.checkDriver(cudart.cuModuleGetFunction(f, module(file), name), "cuModuleGetFunction(" + name + ")");
            return f;
        });
    }

    private synchronized CUmod_st module(String file) {
        CUmod_st m = modules.get(file);
        if (m != null) return m;
        byte[] cubin = Nvrtc.compile(file, KernelSources.read(file), List.of(KernelSources.HEADER),
                List.of(KernelSources.read(KernelSources.HEADER)), arch, List.of());
        m = new CUmod_st();
        Cuda.checkDriver(cudart.cuModuleLoadData(m, new BytePointer(cubin)), "cuModuleLoadData(" + file + ")");
        modules.put(file, m);
        return m;
    }

    /** Compiles and loads every kernel file now (so timings and graph captures never see a compile). */
    public void loadAll() {
        for (String f : KernelSources.FILES) module(f);
    }
}

package dpvm.kernels.runtime;

import dpvm.kernels.Cuda;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Compiled kernel modules of one device, loaded on first use of any of their functions. */
public final class Kernels {
    /** Kernel name by function handle address, for launch logs (every device's functions). */
    private static final Map<Long, String> NAMES = new ConcurrentHashMap<>();

    private final int arch;
    private final Map<String, CUmod_st> modules = new ConcurrentHashMap<>();
    private final Map<String, CUfunc_st> functions = new ConcurrentHashMap<>();

    public Kernels(int arch) {
        this.arch = arch;
    }

    /** The function {@code name} of kernel file {@code file} (e.g. "elementwise.cu", "binary_f32"). */
    public CUfunc_st function(String file, String name) {
        return functions.computeIfAbsent(file + ":" + name, k -> lookUp(module(file), name));
    }

    /**
     * The function {@code name} of a source made at run time (a fused kernel); {@code moduleName} must identify
     * the source, which is written, compiled and loaded on first use only.
     */
    public CUfunc_st generated(String moduleName, Supplier<String> source, String name) {
        return functions.computeIfAbsent(moduleName + ":" + name, k -> lookUp(module(moduleName, source), name));
    }

    private static CUfunc_st lookUp(CUmod_st module, String name) {
        CUfunc_st f = new CUfunc_st();
        Cuda.checkDriver(cudart.cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
        NAMES.put(f.address(), name);
        return f;
    }

    /** The kernel name of a function this class handed out. */
    static String nameOf(CUfunc_st f) {
        return NAMES.getOrDefault(f.address(), "function@" + Long.toHexString(f.address()));
    }

    private CUmod_st module(String file) {
        return module(file, () -> KernelSources.read(file));
    }

    private synchronized CUmod_st module(String name, Supplier<String> source) {
        CUmod_st m = modules.get(name);
        if (m != null) return m;
        byte[] cubin = Nvrtc.compile(name, source.get(), KernelSources.HEADERS, KernelSources.headerTexts(), arch, List.of());
        m = new CUmod_st();
        Cuda.checkDriver(cudart.cuModuleLoadData(m, new BytePointer(cubin)), "cuModuleLoadData(" + name + ")");
        modules.put(name, m);
        return m;
    }

    /** Compiles and loads every kernel file now (so timings and graph captures never see a compile). */
    public void loadAll() {
        for (String f : KernelSources.FILES) module(f);
    }
}

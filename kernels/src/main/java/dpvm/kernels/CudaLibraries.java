package dpvm.kernels;

import org.bytedeco.javacpp.Loader;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads each JavaCPP binding once and remembers why it failed. A failed load leaves the binding's class
 * unusable for the rest of the run (later uses throw NoClassDefFoundError without the cause), so the first
 * failure is turned into a message naming the missing library and cached.
 */
public final class CudaLibraries {
    /** The bindings the backend uses, with the libraries a user would have to install for each. */
    public enum Binding {
        RUNTIME(org.bytedeco.cuda.global.cudart.class, "the NVIDIA driver (libcuda.so.1) and the CUDA runtime (libcudart)"),
        NVRTC(org.bytedeco.cuda.global.nvrtc.class, "NVRTC (libnvrtc), from the CUDA toolkit or the nvidia-cuda-nvrtc wheel"),
        CUBLAS(org.bytedeco.cuda.global.cublas.class, "cuBLAS (libcublas, libcublasLt), from the CUDA toolkit or the nvidia-cublas wheel"),
        CUDNN(org.bytedeco.cuda.global.cudnn.class, "cuDNN 9 (libcudnn_*.so.9), from the nvidia-cudnn wheel or a cuDNN install");

        final Class<?> type;
        final String needs;

        Binding(Class<?> type, String needs) {
            this.type = type;
            this.needs = needs;
        }
    }

    private static final Map<Binding, String> FAILURES = new ConcurrentHashMap<>();
    private static final Map<Binding, Boolean> LOADED = new ConcurrentHashMap<>();
    private static final Pattern MISSING = Pattern.compile("(lib[A-Za-z0-9_+.\\-]*?\\.so(?:\\.[0-9]+)*):? cannot open shared object file");
    private static final Pattern ANY_LIB = Pattern.compile("(lib[A-Za-z0-9_+\\-]+\\.so(?:\\.[0-9]+)*)");

    private CudaLibraries() {}

    /** Loads the binding or throws {@link CudaUnavailableException} naming the missing library. */
    public static void require(Binding b) {
        if (LOADED.containsKey(b)) return;
        // every binding inherits the runtime's: load it first so its failure, not a later
        // "Could not initialize class", is the one described
        if (b != Binding.RUNTIME) require(Binding.RUNTIME);
        String failure = FAILURES.get(b);
        if (failure != null) throw new CudaUnavailableException(failure, null);
        synchronized (CudaLibraries.class) {
            if (LOADED.containsKey(b)) return;
            try {
                Loader.load(b.type);
                LOADED.put(b, true);
            } catch (LinkageError | RuntimeException e) {
                String m = "CUDA unavailable: " + describe(e) + " (" + b.name().toLowerCase() + " binding needs " + b.needs
                        + "; on a machine with CUDA in Python wheels pass -Dorg.bytedeco.javacpp.platform.linkpath=<their lib folders>)";
                FAILURES.put(b, m);
                throw new CudaUnavailableException(m, e);
            }
        }
    }

    /** Whether the binding loads, without throwing. */
    public static boolean available(Binding b) {
        try {
            require(b);
            return true;
        } catch (CudaUnavailableException e) {
            return false;
        }
    }

    /** "libX.so.N not found" when a message in the cause chain names the library the dynamic loader missed. */
    static String describe(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) all.append(t.getMessage()).append('\n');
        }
        Matcher m = MISSING.matcher(all);
        if (m.find()) return m.group(1) + " not found";
        Matcher any = ANY_LIB.matcher(all);
        if (any.find()) return any.group(1) + " could not be loaded: " + firstLine(e);
        return "native bindings could not be loaded: " + firstLine(e);
    }

    private static String firstLine(Throwable e) {
        String s = e.toString();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

package dpvm.kernels;

import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.Loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads each JavaCPP binding once and remembers why it failed. A failed load leaves the binding's class
 * unusable for the rest of the run (later uses throw NoClassDefFoundError without the cause), so the first
 * failure is turned into a message naming the missing library and cached. {@link #report()} names each loaded
 * library's version and file.
 */
public final class CudaLibraries {
    /** The bindings the backend uses, with the libraries a user would have to install for each. */
    public enum Binding {
        RUNTIME(cudart.class, "the NVIDIA driver (libcuda.so.1) and the CUDA runtime (libcudart)"),
        NVRTC(nvrtc.class, "NVRTC (libnvrtc), from the CUDA toolkit or the nvidia-cuda-nvrtc wheel"),
        CUBLAS(cublas.class, "cuBLAS (libcublas, libcublasLt), from the CUDA toolkit or the nvidia-cublas wheel"),
        CUDNN(cudnn.class, "cuDNN 9 (libcudnn_*.so.9), from the nvidia-cudnn wheel or a cuDNN install");

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

    /**
     * One line naming each CUDA library's version and the file it was loaded from, e.g. {@code driver 13.0
     * (kernel module 580.159.04, /usr/lib/x86_64-linux-gnu/libcuda.so.1); runtime 13.0 (.../libcudart.so.13);
     * cuBLAS 13.0.2 (...); cuDNN 9.13.0 (...); NVRTC 13.0 (...)}: what a benchmark or parity result needs beside
     * the GPU's name to be repeated, and the first thing to read when two library versions were mixed. A library
     * that cannot be loaded is named with the reason instead.
     */
    public static String report() {
        require(Binding.RUNTIME);
        for (Binding b : Binding.values()) available(b); // loaded before the process's mapped files are read, once
        List<String> mapped = mappedFiles();
        List<String> parts = new ArrayList<>();
        int[] v = new int[1];
        String module = driverModuleVersion();
        parts.add("driver " + (cudart.cudaDriverGetVersion(v) == cudart.cudaSuccess ? cudaVersion(v[0]) : "version unknown")
                + " (" + (module == null ? "" : "kernel module " + module + ", ") + loadedFrom(mapped, "libcuda.so") + ")");
        parts.add("runtime " + (cudart.cudaRuntimeGetVersion(v) == cudart.cudaSuccess ? cudaVersion(v[0]) : "version unknown")
                + " (" + loadedFrom(mapped, "libcudart.so") + ")");
        parts.add(library(Binding.CUBLAS, "cuBLAS", loadedFrom(mapped, "libcublas.so"), () -> {
            int[] major = new int[1], minor = new int[1], patch = new int[1];
            boolean known = cublas.cublasGetProperty(cudart.MAJOR_VERSION, major) == 0 && cublas.cublasGetProperty(cudart.MINOR_VERSION, minor) == 0
                    && cublas.cublasGetProperty(cudart.PATCH_LEVEL, patch) == 0;
            return known ? major[0] + "." + minor[0] + "." + patch[0] : "version unknown";
        }));
        parts.add(library(Binding.CUDNN, "cuDNN", loadedFrom(mapped, "libcudnn.so"), () -> {
            long n = cudnn.cudnnGetVersion();
            return n / 10000 + "." + n / 100 % 100 + "." + n % 100;
        }));
        parts.add(library(Binding.NVRTC, "NVRTC", loadedFrom(mapped, "libnvrtc.so"), () -> {
            int[] major = new int[1], minor = new int[1];
            return nvrtc.nvrtcVersion(major, minor) == 0 ? major[0] + "." + minor[0] : "version unknown";
        }));
        return String.join("; ", parts);
    }

    private static String library(Binding b, String name, String file, Supplier<String> version) {
        if (!available(b)) return name + " unavailable (" + FAILURES.get(b) + ")";
        return name + " " + version.get() + " (" + file + ")";
    }

    /** CUDA's packed version (major * 1000 + minor * 10) as "13.0". */
    static String cudaVersion(int packed) {
        return packed / 1000 + "." + packed % 1000 / 10;
    }

    /** The path of the first mapped file whose name starts with {@code prefix}, from /proc/self/maps. */
    static String loadedFrom(String prefix) {
        return loadedFrom(mappedFiles(), prefix);
    }

    private static String loadedFrom(List<String> mapped, String prefix) {
        if (mapped == null) return "path unknown";
        return mapped.stream().filter(p -> Path.of(p).getFileName().toString().startsWith(prefix)).findFirst().orElse("not mapped");
    }

    /** The files this process has mapped (/proc/self/maps), or null where that cannot be read. */
    private static List<String> mappedFiles() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1)).filter(p -> p.startsWith("/")).distinct().toList();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The NVIDIA kernel module's version ("580.159.04"), or null where /proc/driver/nvidia/version is absent. */
    private static String driverModuleVersion() {
        try {
            Matcher m = Pattern.compile("Kernel Module\\s+([0-9.]+)").matcher(Files.readString(Path.of("/proc/driver/nvidia/version")));
            return m.find() ? m.group(1) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

package dpvm.kernels.profile;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * NVTX ranges around the backend's ops, so Nsight Systems shows each op's name over its kernels. The JavaCPP
 * CUDA presets bind no NVTX, so the two C calls go through JNA to {@code libnvtx3interop.so.1} (CUDA 13's
 * NVTX as a shared library; {@code libnvToolsExt.so.1} on CUDA 12), found in the folders of
 * {@code -Dorg.bytedeco.javacpp.platform.linkpath}, {@code LD_LIBRARY_PATH} and {@code /usr/local/cuda/lib64},
 * or named by {@code -Ddpvm.nvtx.library=FILE}.
 *
 * <p>On when a tool is attached ({@code NVTX_INJECTION64_PATH} is set, as Nsight Systems does; without a tool
 * NVTX calls do nothing) or with {@code -Ddpvm.nvtx=true}; {@code -Ddpvm.nvtx=false} turns it off. When no
 * library is found the ranges are off and {@link #status()} says why.
 */
public final class Nvtx {
    private static final String[] NAMES = {"libnvtx3interop.so.1", "libnvToolsExt.so.1"};
    private static final boolean ENABLED;
    private static final String STATUS;
    private static final Path LIBRARY;

    static {
        String flag = System.getProperty("dpvm.nvtx");
        boolean wanted = flag != null ? Boolean.parseBoolean(flag) : System.getenv("NVTX_INJECTION64_PATH") != null;
        boolean on = false;
        String status;
        Path bound = null;
        if (!wanted) {
            status = "off (no NVTX tool attached; -Ddpvm.nvtx=true forces it on)";
        } else {
            Path lib = find();
            if (lib == null) {
                status = "off: neither " + String.join(" nor ", NAMES) + " was found (-Ddpvm.nvtx.library=FILE names it)";
            } else {
                try {
                    Native.register(Nvtx.class, NativeLibrary.getInstance(lib.toString()));
                    on = true;
                    bound = lib;
                    status = "on (" + lib + ")";
                } catch (LinkageError | RuntimeException e) {
                    status = "off: " + lib + " could not be bound: " + e;
                }
            }
        }
        ENABLED = on;
        STATUS = status;
        LIBRARY = bound;
    }

    private Nvtx() {}

    private static native int nvtxRangePushA(String message);

    private static native int nvtxRangePop();

    public static boolean enabled() {
        return ENABLED;
    }

    /** Whether ranges are emitted, and from which library or why not. */
    public static String status() {
        return STATUS;
    }

    /** The library the ranges go to, or null when they are off. */
    public static Path library() {
        return LIBRARY;
    }

    /** Opens a range named {@code name} on the calling thread (a no-op when off). */
    public static void push(String name) {
        if (ENABLED) nvtxRangePushA(name);
    }

    /** Closes the calling thread's innermost range (a no-op when off). */
    public static void pop() {
        if (ENABLED) nvtxRangePop();
    }

    /** The library file to bind, or null. */
    static Path find() {
        String named = System.getProperty("dpvm.nvtx.library");
        if (named != null) return Files.isRegularFile(Path.of(named)) ? Path.of(named) : null;
        for (String dir : searchPath()) {
            for (String n : NAMES) {
                Path p = Path.of(dir, n);
                if (Files.isRegularFile(p)) return p;
            }
        }
        return null;
    }

    static List<String> searchPath() {
        Set<String> dirs = new LinkedHashSet<>();
        for (String list : new String[] {System.getProperty("org.bytedeco.javacpp.platform.linkpath"), System.getenv("LD_LIBRARY_PATH")}) {
            if (list == null) continue;
            for (String d : list.split(File.pathSeparator)) if (!d.isBlank()) dirs.add(d);
        }
        dirs.add("/usr/local/cuda/lib64");
        return new ArrayList<>(dirs);
    }
}

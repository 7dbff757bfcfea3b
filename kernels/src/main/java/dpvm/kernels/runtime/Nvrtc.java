package dpvm.kernels.runtime;

import dpvm.kernels.CudaException;
import dpvm.kernels.CudaLibraries;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Run-time compilation of the kernel sources to machine code for the GPU at hand ({@code nvrtcGetCUBIN} with
 * {@code -arch=sm_XY}; machine code rather than PTX because NVRTC may be newer than the driver). Results are
 * cached on disk under a hash of NVRTC's version, the sources, the options and the architecture, in
 * {@code -Ddpvm.kernels.cache=DIR} (default {@code ~/.cache/dpvm/kernels}). A failed compile throws with
 * NVRTC's log.
 */
public final class Nvrtc {
    private Nvrtc() {}

    public static Path cacheDir() {
        String d = System.getProperty("dpvm.kernels.cache");
        return d != null ? Path.of(d) : Path.of(System.getProperty("user.home"), ".cache", "dpvm", "kernels");
    }

    /** Cubin for {@code source} (named {@code name}) with in-memory headers, for {@code sm_<arch>}. */
    public static byte[] compile(String name, String source, List<String> headerNames, List<String> headers, int arch, List<String> extraOptions) {
        CudaLibraries.require(CudaLibraries.Binding.NVRTC);
        String[] options = options(arch, extraOptions);
        String key = hash(version(), name, source, String.join("\0", headers), String.join(" ", options));
        Path cached = cacheDir().resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-sm" + arch + "-" + key.substring(0, 24) + ".cubin");
        try {
            if (Files.isRegularFile(cached)) return Files.readAllBytes(cached);
        } catch (IOException e) {
            // an unreadable cache entry is rebuilt below
        }
        byte[] cubin = compileNow(name, source, headerNames, headers, options).cubin();
        try {
            Files.createDirectories(cached.getParent());
            Path tmp = Files.createTempFile(cached.getParent(), "tmp", ".cubin");
            Files.write(tmp, cubin);
            Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("dpvm: could not cache compiled kernels in " + cached.getParent() + ": " + e);
        }
        return cubin;
    }

    /** Machine code and NVRTC's log (ptxas's resource lines among them when the options ask for them). */
    public record Compiled(byte[] cubin, String log) {}

    /**
     * Compiles now, past the cache, and keeps the log: with {@code --ptxas-options=-v} among the extra options the
     * log holds every kernel's registers, stack, spills and shared memory ({@code PtxasInfo} reads them).
     */
    public static Compiled compileWithLog(String name, String source, List<String> headerNames, List<String> headers, int arch, List<String> extraOptions) {
        CudaLibraries.require(CudaLibraries.Binding.NVRTC);
        return compileNow(name, source, headerNames, headers, options(arch, extraOptions));
    }

    static String[] options(int arch, List<String> extra) {
        String[] base = {"--gpu-architecture=sm_" + arch, "-std=c++17", "-default-device", "-lineinfo"};
        String[] all = new String[base.length + extra.size()];
        System.arraycopy(base, 0, all, 0, base.length);
        for (int i = 0; i < extra.size(); i++) all[base.length + i] = extra.get(i);
        return all;
    }

    private static Compiled compileNow(String name, String source, List<String> headerNames, List<String> headers, String[] options) {
        _nvrtcProgram prog = new _nvrtcProgram();
        check(nvrtc.nvrtcCreateProgram(prog, new BytePointer(source), new BytePointer(name), headers.size(),
                new PointerPointer(headers.toArray(new String[0])), new PointerPointer(headerNames.toArray(new String[0]))), "nvrtcCreateProgram", name);
        try {
            int err = nvrtc.nvrtcCompileProgram(prog, options.length, new PointerPointer(options));
            if (err != nvrtc.NVRTC_SUCCESS) {
                throw new CudaException("NVRTC could not compile " + name + " with " + String.join(" ", options) + ": "
                        + nvrtc.nvrtcGetErrorString(err).getString() + "\n" + log(prog));
            }
            try (SizeTPointer size = new SizeTPointer(1)) {
                check(nvrtc.nvrtcGetCUBINSize(prog, size), "nvrtcGetCUBINSize", name);
                byte[] cubin = new byte[(int) size.get()];
                check(nvrtc.nvrtcGetCUBIN(prog, cubin), "nvrtcGetCUBIN", name);
                return new Compiled(cubin, log(prog));
            }
        } finally {
            nvrtc.nvrtcDestroyProgram(prog);
        }
    }

    private static String log(_nvrtcProgram prog) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            if (nvrtc.nvrtcGetProgramLogSize(prog, size) != nvrtc.NVRTC_SUCCESS) return "(no log)";
            byte[] log = new byte[(int) size.get()];
            nvrtc.nvrtcGetProgramLog(prog, log);
            return new String(log, StandardCharsets.UTF_8).trim();
        }
    }

    static String version() {
        int[] major = new int[1], minor = new int[1];
        nvrtc.nvrtcVersion(major, minor);
        return major[0] + "." + minor[0];
    }

    private static void check(int err, String call, String name) {
        if (err != nvrtc.NVRTC_SUCCESS) throw new CudaException(call + " for " + name + " failed: " + nvrtc.nvrtcGetErrorString(err).getString());
    }

    static String hash(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                md.update(p.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

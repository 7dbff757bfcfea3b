package dpvm.kernels.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The kernel sources shipped in the jar under {@code dpvm/kernels/cuda/}. */
public final class KernelSources {
    /** Every kernel file; the nvcc compile test and the module loader both use this list. */
    public static final List<String> FILES = List.of("elementwise.cu", "copy.cu", "reduce.cu", "softmax.cu", "index.cu", "random.cu", "pool.cu", "norm.cu", "batchnorm.cu");
    /** Headers every kernel file may include; the loader hands all of them to NVRTC in memory. */
    public static final List<String> HEADERS = List.of("common.cuh", "elementwise.cuh");

    private KernelSources() {}

    /** The texts of {@link #HEADERS}, in the same order. */
    public static List<String> headerTexts() {
        return HEADERS.stream().map(KernelSources::read).toList();
    }

    public static String read(String file) {
        try (InputStream in = KernelSources.class.getResourceAsStream("/dpvm/kernels/cuda/" + file)) {
            if (in == null) throw new IllegalStateException("kernel source " + file + " is missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

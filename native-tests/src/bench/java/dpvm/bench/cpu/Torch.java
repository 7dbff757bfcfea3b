package dpvm.bench.cpu;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * libtorch through DJL, started offline: the native library is unpacked from the pytorch-native-cpu jar on the
 * class path into a cache under the build directory, so nothing is ever downloaded.
 */
final class Torch {
    private Torch() {}

    private static Engine engine;

    /** The PyTorch engine, configured before its first use (DJL reads these properties only once). */
    static synchronized Engine engine() {
        if (engine == null) {
            Properties pinned = pinnedVersions();
            defaultProperty("ai.djl.offline", "true");
            defaultProperty("PYTORCH_FLAVOR", "cpu");
            defaultProperty("PYTORCH_VERSION", pinned.getProperty("pytorch.version"));
            // Relative to the working directory: bench-cpu.sh sets an absolute one under native-tests/target.
            defaultProperty("DJL_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
            defaultProperty("ai.djl.pytorch.num_threads", System.getProperty("dpvm.threads", "2"));
            engine = Engine.getEngine("PyTorch");
            checkThreads();
        }
        return engine;
    }

    static NDManager newManager() {
        return engine().newBaseManager();
    }

    /** A float32 array with the given contents, owned by {@code manager}. */
    static NDArray array(NDManager manager, float[] data, int... shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) dims[i] = shape[i];
        return manager.create(data, new Shape(dims));
    }

    /** Fails the run rather than publish libtorch numbers taken with another thread count than asked for. */
    private static void checkThreads() {
        int want = Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads"));
        int have = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        if (have != want) throw new IllegalStateException("libtorch runs " + have + " intra-op threads, expected " + want);
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) System.setProperty(key, value);
    }

    private static Properties pinnedVersions() {
        try (InputStream in = Torch.class.getResourceAsStream("libtorch.properties")) {
            if (in == null) throw new IllegalStateException("libtorch.properties is missing from the benchmark jar");
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

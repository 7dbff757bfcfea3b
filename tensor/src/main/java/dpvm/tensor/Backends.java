package dpvm.tensor;

import dpvm.tensor.cpu.Gemm;
import dpvm.tensor.cpu.Parallel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one registry of backends. The CPU backend is built in; others (CUDA) are found at run time through
 * {@link ServiceLoader}, so nothing in this module imports their types.
 */
public final class Backends {
    /** Implemented by backend modules and listed in META-INF/services. */
    public interface Provider {
        /** The device type this provider serves, e.g. "cuda". */
        String deviceType();

        /** The backend for one device, or an exception whose message says why it is unavailable. */
        Backend open(Device device);

        /**
         * One line per device this provider can open, naming what a reported result needs beside it (the
         * device's model and memory, library versions), or one line saying why it can open none.
         */
        List<String> describe();
    }

    private static final Map<Device, Backend> OPEN = new ConcurrentHashMap<>();

    private Backends() {}

    public static Backend of(Device device) {
        return OPEN.computeIfAbsent(device, Backends::load);
    }

    /**
     * Every device this process can compute on, the CPU first, one line each (a provider may add indented
     * detail lines): what {@code dpvm devices} prints and what benchmark and parity reports are headed with.
     */
    public static List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("cpu: " + Parallel.threads() + " threads, float GEMM kernel " + Gemm.kernelName() + ", Java "
                + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        for (Provider p : ServiceLoader.load(Provider.class)) lines.addAll(p.describe());
        return lines;
    }

    private static Backend load(Device device) {
        if (device.isCpu()) return new dpvm.tensor.cpu.CpuBackend();
        for (Provider p : ServiceLoader.load(Provider.class)) {
            if (p.deviceType().equals(device.type())) return p.open(device);
        }
        throw new IllegalStateException("no backend for " + device + ": the " + device.type()
                + " backend is not on the class path (add the kernels module)");
    }
}

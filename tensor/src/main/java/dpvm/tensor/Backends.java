package dpvm.tensor;

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
    }

    private static final Map<Device, Backend> OPEN = new ConcurrentHashMap<>();

    private Backends() {}

    public static Backend of(Device device) {
        return OPEN.computeIfAbsent(device, Backends::load);
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

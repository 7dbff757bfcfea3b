package dpvm.kernels;

import dpvm.tensor.Backend;
import dpvm.tensor.Backends;
import dpvm.tensor.Device;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Registers the CUDA backend with {@link Backends} (listed in META-INF/services). Nothing CUDA is touched
 * until a cuda device is first asked for: then the bindings load, the device is probed, and a machine without
 * driver, GPU or library gets a {@link CudaUnavailableException} naming which.
 */
public final class CudaProvider implements Backends.Provider {
    private static final double GIB = 1024.0 * 1024 * 1024;

    @Override
    public String deviceType() {
        return "cuda";
    }

    @Override
    public Backend open(Device device) {
        return new CudaBackend(CudaDevice.get(device.index()));
    }

    /**
     * Each GPU with its model, architecture and memory, then one indented line of library versions and the files
     * they came from ({@link CudaLibraries#report()}); or "cuda: unavailable: " and the reason.
     */
    @Override
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        try {
            int count = CudaDevice.count();
            for (int i = 0; i < count; i++) {
                CudaDevice d = CudaDevice.get(i);
                long[] freeTotal = d.freeAndTotalBytes();
                lines.add(String.format(Locale.ROOT, "%s, %.1f GiB (%.1f GiB free)", d.name(), freeTotal[1] / GIB, freeTotal[0] / GIB));
            }
            lines.add("  libraries: " + CudaLibraries.report());
        } catch (CudaUnavailableException e) {
            lines.add("cuda: unavailable: " + e.getMessage().replaceFirst("^CUDA unavailable: ", ""));
        }
        return lines;
    }
}

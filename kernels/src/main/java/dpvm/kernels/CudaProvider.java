package dpvm.kernels;

import dpvm.tensor.Backend;
import dpvm.tensor.Backends;
import dpvm.tensor.Device;

/**
 * Registers the CUDA backend with {@link Backends} (listed in META-INF/services). Nothing CUDA is touched
 * until a cuda device is first asked for: then the bindings load, the device is probed, and a machine without
 * driver, GPU or library gets a {@link CudaUnavailableException} naming which.
 */
public final class CudaProvider implements Backends.Provider {
    @Override
    public String deviceType() {
        return "cuda";
    }

    @Override
    public Backend open(Device device) {
        return new CudaBackend(CudaDevice.get(device.index()));
    }
}

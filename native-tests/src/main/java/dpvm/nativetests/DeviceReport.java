package dpvm.nativetests;

import dpvm.tensor.Backends;

/**
 * Prints what {@code dpvm devices} prints (the CPU, each GPU with its memory, the CUDA libraries' versions and
 * files, or why CUDA is unavailable) for the GPU runner, which carries no command line: its first output, so
 * that a run that fails later still says what it ran on.
 */
public final class DeviceReport {
    private DeviceReport() {}

    public static void main(String[] args) {
        Backends.describe().forEach(System.out::println);
    }
}

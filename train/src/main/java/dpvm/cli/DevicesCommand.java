package dpvm.cli;

import dpvm.tensor.Backends;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * Lists the devices this machine can compute on: the CPU backend's threads and GEMM kernel, then each GPU with
 * its memory and the CUDA libraries it would use (versions and files), or the reason CUDA is unavailable here.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the CPU and the GPUs the engine can use, with CUDA library versions, or why CUDA is unavailable.")
public final class DevicesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Backends.describe().forEach(System.out::println);
        return 0;
    }
}

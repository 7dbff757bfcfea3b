package dpvm.kernels.lab;

import dpvm.kernels.runtime.KernelResources;
import dpvm.kernels.runtime.LaunchLog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Alike launches of one lab run merged: a kernel at one grid, block and dynamic shared memory, how many times it
 * ran, and what the driver says it holds ({@code resources} null where the device does not report it). With the
 * device's size these give the kernel's occupancy and how many waves of resident blocks its grid takes.
 */
public record LaunchStats(String kernel, int calls, int grid, int block, int sharedBytes, KernelResources resources) {
    /** Merges {@code launches} in order of first appearance, asking {@code driver} once per merged row. */
    static List<LaunchStats> of(List<LaunchLog.Launch> launches, Function<LaunchLog.Launch, Optional<KernelResources>> driver) {
        Map<List<Object>, LaunchLog.Launch> first = new LinkedHashMap<>();
        Map<List<Object>, Integer> calls = new LinkedHashMap<>();
        for (LaunchLog.Launch l : launches) {
            List<Object> key = List.of(l.kernel(), l.grid(), l.block(), l.sharedBytes());
            first.putIfAbsent(key, l);
            calls.merge(key, 1, Integer::sum);
        }
        List<LaunchStats> out = new ArrayList<>();
        first.forEach((key, l) -> out.add(new LaunchStats(l.kernel(), calls.get(key), l.grid(), l.block(), l.sharedBytes(), driver.apply(l).orElse(null))));
        return out;
    }

    /** Resident threads (whole warps) as a share of the most a multiprocessor holds, in percent; NaN when not reported. */
    public double occupancyPercent(int threadsPerMultiprocessor) {
        if (resources == null) return Double.NaN;
        int warps = (block + 31) / 32;
        return 100.0 * resources.blocksResident() * warps * 32 / threadsPerMultiprocessor;
    }

    /** The grid over the blocks the whole device holds at once: below 1 leaves multiprocessors idle; NaN when not reported. */
    public double waves(int multiprocessors) {
        if (resources == null || resources.blocksResident() == 0) return Double.NaN;
        return grid / (double) ((long) resources.blocksResident() * multiprocessors);
    }
}

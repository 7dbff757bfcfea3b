package dpvm.kernels;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@link PtxasInfo} of every kernel on every architecture, as a markdown table and as one summary line. */
final class ResourceTable {
    private ResourceTable() {}

    /**
     * A row per kernel, most registers on {@code main} first: registers per thread on each architecture (with
     * the bytes spilled, where any), then {@code main}'s stack frame and static shared memory.
     */
    static String markdown(Map<Integer, List<PtxasInfo>> kernels, int[] archs, int main) {
        StringBuilder out = new StringBuilder("# Kernel resources, as ptxas reports them\n\n"
                + "Registers per thread; `+N B spill` marks bytes spilled to local memory. Stack frame and static shared memory are sm_" + main + "'s.\n\n| kernel |");
        for (int a : archs) out.append(" sm_").append(a).append(" |");
        out.append(" stack B | shared B |\n|---|");
        out.append("---:|".repeat(archs.length + 2)).append('\n');
        Map<Integer, Map<String, PtxasInfo>> byName = byName(kernels);
        List<PtxasInfo> rows = kernels.get(main).stream()
                .sorted(Comparator.comparingInt(PtxasInfo::registers).reversed().thenComparing(PtxasInfo::kernel)).toList();
        for (PtxasInfo r : rows) {
            out.append("| ").append(r.kernel()).append(" |");
            for (int a : archs) {
                PtxasInfo k = byName.get(a).get(r.kernel());
                out.append(' ').append(k == null ? "-" : k.registers() + (k.spills() ? " +" + k.spillStoreBytes() + " B spill" : "")).append(" |");
            }
            out.append(' ').append(r.stackBytes()).append(" | ").append(r.sharedBytes()).append(" |\n");
        }
        return out.toString();
    }

    /** How many kernels, {@code main}'s register median and maximum, and every kernel that spills anywhere. */
    static String summary(Map<Integer, List<PtxasInfo>> kernels, int[] archs, int main) {
        List<PtxasInfo> m = kernels.get(main).stream().sorted(Comparator.comparingInt(PtxasInfo::registers)).toList();
        PtxasInfo most = m.get(m.size() - 1);
        String spilling = Arrays.stream(archs).boxed().flatMap(a -> kernels.get(a).stream()).filter(PtxasInfo::spills)
                .map(k -> "sm_" + k.arch() + " " + k.kernel() + " (" + k.spillStoreBytes() + " B)").collect(Collectors.joining(", "));
        return String.format("ptxas: %d kernels; sm_%d registers per thread median %d, most %d (%s); spilling: %s", m.size(), main,
                m.get(m.size() / 2).registers(), most.registers(), most.kernel(), spilling.isEmpty() ? "none" : spilling);
    }

    private static Map<Integer, Map<String, PtxasInfo>> byName(Map<Integer, List<PtxasInfo>> kernels) {
        Map<Integer, Map<String, PtxasInfo>> out = new LinkedHashMap<>();
        kernels.forEach((a, list) -> out.put(a, list.stream().collect(Collectors.toMap(PtxasInfo::kernel, Function.identity(), (x, y) -> x))));
        return out;
    }
}

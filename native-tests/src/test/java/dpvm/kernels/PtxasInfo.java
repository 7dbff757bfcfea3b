package dpvm.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What ptxas says each kernel costs a multiprocessor, read from an NVRTC log compiled with
 * {@code --ptxas-options=-v}: per entry function the registers a thread holds, its stack frame, the bytes it spills
 * to local memory and reloads, and its static shared memory. Lines of other shapes (compile times, gmem, device
 * functions that are not entries) are skipped; an entry whose lines are incomplete is an error, so a change in
 * ptxas's wording fails loudly instead of reading as "no spills".
 */
record PtxasInfo(String kernel, int arch, int registers, int stackBytes, int spillStoreBytes, int spillLoadBytes, int sharedBytes) {
    private static final Pattern ENTRY = Pattern.compile("Compiling entry function '([^']+)' for 'sm_(\\d+)a?'");
    private static final Pattern PROPERTIES = Pattern.compile("Function properties for (\\S+)");
    private static final Pattern FRAME = Pattern.compile("(\\d+) bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads");
    private static final Pattern USED = Pattern.compile("Used (\\d+) registers");
    private static final Pattern SMEM = Pattern.compile("(\\d+) bytes smem");

    boolean spills() {
        return spillStoreBytes > 0 || spillLoadBytes > 0;
    }

    static List<PtxasInfo> parse(String log) {
        List<PtxasInfo> out = new ArrayList<>();
        String entry = null, propertiesOf = null;
        int arch = 0;
        int[] frame = null;
        for (String line : log.split("\\R")) {
            Matcher m;
            if ((m = ENTRY.matcher(line)).find()) {
                if (entry != null) throw incomplete(entry, "a 'Used N registers' line");
                entry = m.group(1);
                arch = Integer.parseInt(m.group(2));
                frame = null;
                propertiesOf = null;
            } else if ((m = PROPERTIES.matcher(line)).find()) {
                propertiesOf = m.group(1);
            } else if ((m = FRAME.matcher(line)).find()) {
                // a device function compiled on its own reports a frame too; only the entry's own counts here
                if (entry != null && entry.equals(propertiesOf)) {
                    frame = new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
                }
            } else if ((m = USED.matcher(line)).find() && entry != null) {
                if (frame == null) throw incomplete(entry, "its stack frame and spill line");
                Matcher smem = SMEM.matcher(line);
                int shared = smem.find() ? Integer.parseInt(smem.group(1)) : 0;
                out.add(new PtxasInfo(entry, arch, Integer.parseInt(m.group(1)), frame[0], frame[1], frame[2], shared));
                entry = null;
            }
        }
        if (entry != null) throw incomplete(entry, "a 'Used N registers' line");
        return out;
    }

    private static IllegalStateException incomplete(String entry, String missing) {
        return new IllegalStateException("ptxas's report for " + entry + " lacks " + missing + " (has its wording changed?)");
    }
}

package dpvm.kernels.profile;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileTableTest {
    private static Profiler.Row row(long calls, double ms, long mem) {
        Profiler.Row r = new Profiler.Row();
        r.calls = calls;
        r.totalMs = ms;
        r.memDelta = mem;
        return r;
    }

    @Test
    void sortsByTotalAndShowsMeanAndShare() {
        Map<String, Profiler.Row> rows = new LinkedHashMap<>();
        rows.put("add", row(100, 1.0, 0));
        rows.put("matmul", row(10, 3.0, 40L << 20));
        String t = ProfileTable.format("cuda:0 (test)", rows, "allocated 0.0 MiB");
        String[] lines = t.split("\n");
        assertTrue(lines[1].startsWith("op"), t);
        assertTrue(lines[2].startsWith("matmul") && lines[2].contains("300.0") && lines[2].contains("75.0%") && lines[2].contains("40.0"), t);
        assertTrue(lines[3].startsWith("add") && lines[3].contains("10.0") && lines[3].contains("25.0%"), t);
        assertTrue(t.contains("total") && t.contains("4.000"), t);
    }

    @Test
    void hostWaitsAreTotalledWithTheirBusiestCallersFirst() {
        assertEquals("host waits for the GPU: 0", ProfileTable.hostWaits(Map.of()));
        Map<String, Long> waits = new LinkedHashMap<>();
        for (int i = 1; i <= 7; i++) waits.put("Loop.step:" + i, (long) i);
        assertEquals("host waits for the GPU: 28 (Loop.step:7 7, Loop.step:6 6, Loop.step:5 5, Loop.step:4 4, Loop.step:3 3, ...)",
                ProfileTable.hostWaits(waits));
        assertEquals("host waits for the GPU: 2 (Train.main:9 2)", ProfileTable.hostWaits(Map.of("Train.main:9", 2L)));
    }
}

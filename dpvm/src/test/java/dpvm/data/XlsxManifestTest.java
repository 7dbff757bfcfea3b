package dpvm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XlsxManifestTest {
    @TempDir
    Path dir;

    @Test
    void readsASpreadsheetWithNumbersTimesAndText() throws Exception {
        Path f = dir.resolve("mved.xlsx");
        try (OutputStream os = Files.newOutputStream(f)) {
            Workbook wb = new Workbook(os, "test", "1.0");
            Worksheet ws = wb.newWorksheet("clips");
            String[] head = {"电影编号", "Movie Title", "Clip ID", "Polarity", "Emotion", "Time Range"};
            for (int c = 0; c < head.length; c++) ws.value(0, c, head[c]);
            ws.value(1, 0, 7);
            ws.value(1, 1, "Quiet Harbour");
            ws.value(1, 2, "7-1");
            ws.value(1, 3, "positive");
            ws.value(1, 4, "Happy；Excited");
            ws.value(1, 5, "0:12:30 - 0:12:45");
            ws.value(2, 0, 7.0);
            ws.value(2, 1, "Quiet Harbour");
            ws.value(2, 2, "7-2");
            ws.value(2, 3, "NEGATIVE");
            ws.value(2, 4, "恐惧");
            ws.value(2, 5, 0.5); // Excel turned a typed "12:00" into a time of day
            ws.style(2, 5).format("h:mm").set();
            ws.value(3, 0, 8);
            ws.value(3, 2, "8-1");
            ws.value(3, 3, "Neutral");
            ws.value(3, 5, "1:40:00 to 1:40:12");
            wb.finish();
        }
        Manifest m = ManifestParser.read(f);
        assertEquals(2, m.rows().size(), m.report());
        ManifestRow a = m.rows().get(0);
        assertEquals("7", a.movie());
        assertEquals(Polarity.POSITIVE, a.polarity());
        assertEquals(java.util.List.of("happy", "excited"), a.emotions());
        assertEquals(new TimeRange(750, 765), a.range());
        ManifestRow c = m.rows().get(1);
        assertEquals("8-1", c.clipId());
        assertEquals(12.0, c.range().duration(), 1e-9);
        assertEquals(1, m.rejected().size());
        RowProblem p = m.rejected().get(0);
        assertEquals(3, p.row(), "spreadsheet row numbers, header = 1");
        assertTrue(p.reason().contains("'12:00'") && p.reason().contains("start-end"), p.reason());
    }
}

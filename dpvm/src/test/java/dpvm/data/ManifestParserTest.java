package dpvm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestParserTest {
    @TempDir
    Path dir;

    private Manifest messy() throws Exception {
        Path f = dir.resolve("messy.csv");
        try (var in = getClass().getResourceAsStream("messy-manifest.csv")) {
            Files.copy(in, f);
        }
        return ManifestParser.read(f);
    }

    private static ManifestRow row(Manifest m, String id) {
        return m.rows().stream().filter(r -> r.clipId().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no row " + id));
    }

    @Test
    void normalisesWhatCanBeNormalised() throws Exception {
        Manifest m = messy();
        assertEquals(8, m.rows().size(), m.report());
        assertEquals(new TimeRange(750, 765), row(m, "1_01").range());
        assertEquals(Polarity.POSITIVE, row(m, "1_02").polarity(), "'postive'");
        assertEquals(new TimeRange(770, 785), row(m, "1_02").range(), "'12:50 ~ 13:05' as m:ss");
        ManifestRow r3 = row(m, "1_03");
        assertEquals(Polarity.NEGATIVE, r3.polarity());
        assertEquals("1", r3.movie(), "'001' is movie 1");
        assertEquals(List.of("sad", "tense"), r3.emotions(), "Chinese words translated");
        assertEquals(new TimeRange(4530, 4545), r3.range());
        assertEquals(new TimeRange(4530, 4545), row(m, "2_01").range(), "75:30 = 1:15:30, full-width dash");
        assertEquals(new TimeRange(1200, 1215), row(m, "2_02").range(), "full-width digits, colon and tilde");
        assertEquals(Polarity.NEUTRAL, row(m, "2_02").polarity(), "'Nuetral'");
        assertEquals(new TimeRange(3723, 3738), row(m, "2_03").range(), "em dash, end inherits the hour");
        assertEquals("2", row(m, "2_03").movie());
        ManifestRow r31 = row(m, "3_01");
        assertEquals(Polarity.NEGATIVE, r31.polarity(), "empty polarity from 'triste / sad'");
        assertEquals(List.of("sad"), r31.emotions());
        assertEquals(new TimeRange(300, 315), r31.range());
        assertEquals(List.of("hopeful", "excited"), row(m, "4_04").emotions());
        assertTrue(r31.notes().stream().anyMatch(n -> n.contains("polarity empty")), r31.notes().toString());
        assertEquals(1, m.blankRows());
    }

    @Test
    void reportsEveryUnusableRowWithItsNumberAndReason() throws Exception {
        Manifest m = messy();
        Map<Integer, String> reasons = m.rejected().stream().collect(Collectors.toMap(RowProblem::row, RowProblem::reason));
        assertEquals(7, reasons.size(), m.report());
        assertTrue(reasons.get(11).contains("unknown polarity 'happy-ish'"), reasons.get(11));
        assertTrue(reasons.get(12).contains("ends before it starts"), reasons.get(12));
        assertTrue(reasons.get(13).contains("time range is empty"), reasons.get(13));
        assertTrue(reasons.get(14).contains("no movie number or title"), reasons.get(14));
        assertTrue(reasons.get(15).contains("duplicate clip id '1_01' (first used in row 3)"), reasons.get(15));
        assertTrue(reasons.get(16).contains("above 59"), reasons.get(16));
        assertTrue(reasons.get(17).contains("polarity is empty and there are no emotion words"), reasons.get(17));
    }

    @Test
    void reportListsCountsAndRejects() throws Exception {
        String report = messy().report();
        assertTrue(report.contains("usable rows: 8, rejected: 7, blank: 1, movies: 4"), report);
        assertTrue(report.contains("Positive="), report);
        assertTrue(report.contains("sad=2"), report);
        assertTrue(report.contains("clip durations: 15.00 s to 15.00 s"), report);
        assertTrue(report.contains("row 12:"), report);
    }

    @Test
    void missingColumnIsOneClearFileLevelProblem() throws Exception {
        Path f = dir.resolve("nocol.csv");
        Files.writeString(f, "movie number,clip id,polarity,emotion\n1,a,Positive,happy\n2,b,Negative,sad\n");
        Manifest m = ManifestParser.read(f);
        assertEquals(0, m.rows().size());
        assertEquals(1, m.rejected().size());
        RowProblem p = m.rejected().get(0);
        assertTrue(p.toString().contains("nocol.csv") && p.reason().contains("missing column 'time range'"), p.toString());
    }

    @Test
    void separateStartAndEndColumns() throws Exception {
        Path f = dir.resolve("startend.csv");
        Files.writeString(f, "Movie,Clip,Polarity,Start,End\nA,a1,Positive,1:00,1:15\nA,a2,Negative,,\n");
        Manifest m = ManifestParser.read(f);
        assertEquals(1, m.rows().size(), m.report());
        assertEquals(new TimeRange(60, 75), m.rows().get(0).range());
        assertTrue(m.rejected().get(0).reason().contains("time range is empty"));
    }

    @Test
    void missingOptionalColumnsOnlyWarn() throws Exception {
        Path f = dir.resolve("minimal.csv");
        Files.writeString(f, "Film;Time\nA;0:10-0:25\nA;1:10-1:25\n");
        Manifest m = ManifestParser.read(f);
        assertEquals(0, m.rows().size(), "neither polarity nor emotion: unusable");
        Files.writeString(f, "Film;Time;Mood\nA;0:10-0:25;happy\nA;1:10-1:25;scared\n");
        m = ManifestParser.read(f);
        assertEquals(2, m.rows().size(), m.report());
        assertEquals("A_01", m.rows().get(0).clipId());
        assertEquals(Polarity.NEGATIVE, m.rows().get(1).polarity());
        assertTrue(m.warnings().stream().anyMatch(w -> w.contains("clip id")));
    }
}

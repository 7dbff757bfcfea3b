package dpvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandsTest {
    @TempDir
    Path dir;

    private int run(ByteArrayOutputStream captured, String... args) {
        PrintStream old = System.out;
        System.setOut(new PrintStream(captured, true));
        try {
            return new CommandLine(new Main()).execute(args);
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void synthThenValidateItsManifest() throws Exception {
        Path out = dir.resolve("syn");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(0, run(log, "synth", "--pairs", "3", "--seed", "5", "--out", out.toString(), "--seconds", "1",
                "--width", "96", "--height", "64", "--threads", "1"));
        assertTrue(log.toString().contains("synth 3/3 pairs"), log.toString());
        assertTrue(log.toString().contains("Recall@K = K/N"), log.toString());
        assertEquals(3, Files.list(out.resolve("clips")).count());

        ByteArrayOutputStream report = new ByteArrayOutputStream();
        assertEquals(0, run(report, "import", "--manifest", out.resolve("mved-manifest.csv").toString(), "--out", dir.resolve("v").toString()));
        assertTrue(report.toString().contains("usable rows: 3, rejected: 0"), report.toString());
        assertTrue(Files.exists(dir.resolve("v/manifest.csv")));
    }

    @Test
    void importOfAManifestWithoutUsableRowsFails() throws Exception {
        Path m = dir.resolve("m.csv");
        Files.writeString(m, "movie,clip,polarity\n1,a,Positive\n");
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        assertEquals(1, run(report, "import", "--manifest", m.toString(), "--out", dir.resolve("v").toString()));
        assertTrue(report.toString().contains("missing column 'time range'"), report.toString());
    }

    @Test
    void badSynthArgumentsAreRefused() {
        assertEquals(2, run(new ByteArrayOutputStream(), "synth", "--pairs", "0", "--out", dir.toString()));
        assertEquals(2, run(new ByteArrayOutputStream(), "synth", "--pairs", "2", "--width", "99", "--out", dir.toString()));
    }
}

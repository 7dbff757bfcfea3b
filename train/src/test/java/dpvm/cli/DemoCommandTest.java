package dpvm.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job trains for real: the loss falls and held-out accuracy rises far above chance. */
class DemoCommandTest {
    @Test
    void demoTrainsTheSpiralsClassifier() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(out, true));
        int rc;
        try {
            rc = Main.commandLine().execute("demo", "--epochs", "4");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        List<double[]> epochs = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s+(\\d+)\\s+([0-9.]+)\\s+([0-9.]+)%\\s+([0-9.]+)%$").matcher(out.toString());
        while (m.find()) epochs.add(new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(4))});
        assertEquals(4, epochs.size(), out.toString());
        assertTrue(epochs.get(3)[0] < epochs.get(0)[0] / 2, "loss should fall: " + out);
        assertTrue(epochs.get(3)[1] > 90, "test accuracy should pass 90% (chance is 33%): " + out);
    }

    @Test
    void anUnavailableDeviceIsOneClearLine() {
        org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/dev/nvidiactl")), "this machine has a GPU driver");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int rc = cli.execute("demo", "--epochs", "1", "--device", "cuda:0");
        assertEquals(1, rc);
        String text = err.toString();
        assertTrue(text.startsWith("dpvm demo: CUDA unavailable"), text);
        assertEquals(1, text.strip().lines().count(), text);
    }

    @Test
    void globalFlagsAreTakenOutAnywhere() {
        String[] rest = Main.withoutGlobalFlags(new String[] {"demo", "--profile", "--epochs", "1", "--deterministic", "--sync-debug"});
        assertEquals(List.of("demo", "--epochs", "1"), List.of(rest));
        assertEquals("true", System.getProperty("dpvm.profile"));
        assertEquals("true", System.getProperty("dpvm.cuda.deterministic"));
        assertEquals("warn", System.getProperty("dpvm.cuda.syncDebug"));
        System.clearProperty("dpvm.profile");
        System.clearProperty("dpvm.cuda.deterministic");
        System.clearProperty("dpvm.cuda.syncDebug");
    }
}

package dpvm.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dpvm devices}: the CPU line, then the CUDA backend's lines (found on the class path at run time). */
class DevicesCommandTest {
    private static List<String> devices() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true));
        int rc;
        try {
            rc = Main.commandLine().execute("devices");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc, out.toString());
        return out.toString().lines().toList();
    }

    @Test
    void namesTheCpuThenSaysWhyCudaIsUnavailable() {
        Assumptions.assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "this machine has a GPU driver");
        List<String> lines = devices();
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).matches("cpu: \\d+ threads, float GEMM kernel .+, Java .+"), lines.get(0));
        // the runtime binding fails first, and the line says which library is missing
        assertTrue(lines.get(1).matches("cuda: unavailable: lib[a-z]+\\.so\\.\\d+ (not found|could not be loaded).*"), lines.get(1));
    }
}

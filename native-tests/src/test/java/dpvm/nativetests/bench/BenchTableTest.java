package dpvm.nativetests.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bench/compare.py, which joins the two benchmark sides on the GPU machine, judged on made-up rows whose
 * verdicts are known: the ratio and copy-share columns, the issue's targets, failed groups, and no verdict for a
 * rehearsal. Needs python3 (no packages); skipped where there is none.
 */
class BenchTableTest {
    private static final Path SCRIPT = Path.of("bench", "compare.py");

    private static String row(String name, double ms, double rate, String unit) {
        return String.format(java.util.Locale.ROOT, "{\"case\":\"%s\",\"ms\":%.5f,\"rate\":%.2f,\"unit\":\"%s\"}", name, ms, rate, unit);
    }

    private static List<String> table(Path dir, List<String> ours, List<String> theirs) throws IOException, InterruptedException {
        Path a = Files.write(dir.resolve("dpvm.jsonl"), ours), b = Files.write(dir.resolve("torch.jsonl"), theirs);
        Process p;
        try {
            p = new ProcessBuilder("python3", SCRIPT.toString(), a.toString(), b.toString(), "Test GPU, 80 GiB").redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("python3 cannot be started: " + e.getMessage());
            throw e;
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "compare.py did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    private static String line(List<String> table, String start) {
        return table.stream().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError("no line " + start + " in\n" + String.join("\n", table)));
    }

    @Test
    void judgesTheIssuesTargetsAgainstThePeerAndTheCopyRate(@TempDir Path dir) throws Exception {
        List<String> ours = List.of(
                "# dpvm on cuda:0 Test GPU (sm_90, 132 SMs): driver 13.0 (/lib/libcuda.so.1); runtime 13.0 (/lib/libcudart.so.13)",
                row("matmul_4096_fp32", 2.10, 65.4, "TFLOP/s"),          // 1.05x PyTorch's time: met
                row("conv3d_fwd_fp32", 12.0, 10.0, "TFLOP/s"),           // 1.20x: missed
                row("softmax_8192x4096", 0.2, 1500.0, "GB/s"),           // 50% of the copy rate: missed
                row("add_256MiB", 0.3, 2550.0, "GB/s"),                  // 85%: met
                row("copy_d2d_256MiB", 0.2, 3000.0, "GB/s"),
                row("gelu_tanh_256MiB", 0.3, 1800.0, "GB/s"),            // no target, only its share
                "{\"group\":4,\"error\":\"java.lang.IllegalStateException: boom\"}");
        List<String> theirs = List.of(
                "# torch 2.11.0+cu130 on Test GPU: CUDA 13.0, cuDNN 91300",
                row("matmul_4096_fp32", 2.00, 68.7, "TFLOP/s"),
                row("conv3d_fwd_fp32", 10.0, 12.0, "TFLOP/s"),
                row("softmax_8192x4096", 0.19, 2400.0, "GB/s"),
                row("add_256MiB", 0.29, 2700.0, "GB/s"),
                row("copy_d2d_256MiB", 0.19, 3000.0, "GB/s"),
                row("layernorm_8192x4096", 0.2, 2500.0, "GB/s"));       // only PyTorch measured it
        List<String> t = table(dir, ours, theirs);
        // the machine, then what each side ran on, above the table
        assertEquals("machine: Test GPU, 80 GiB", t.get(0));
        assertEquals(ours.get(0).substring(2), t.get(1));
        assertEquals(theirs.get(0).substring(2), t.get(2));
        assertTrue(t.get(3).startsWith("case "), t.get(3));
        assertTrue(line(t, "matmul_4096_fp32").matches(".* 1\\.05 .*met$"), line(t, "matmul_4096_fp32"));
        assertTrue(line(t, "conv3d_fwd_fp32").matches(".* 1\\.20 .*missed$"), line(t, "conv3d_fwd_fp32"));
        assertTrue(line(t, "softmax_8192x4096").matches(".* 50% +80% +missed$"), line(t, "softmax_8192x4096"));
        assertTrue(line(t, "add_256MiB").matches(".* 85% +90% +met$"), line(t, "add_256MiB"));
        assertTrue(line(t, "gelu_tanh_256MiB").matches(".* 60% +- *$"), line(t, "gelu_tanh_256MiB"));
        assertTrue(line(t, "layernorm_8192x4096").matches("layernorm_8192x4096 +- .*83% *$"), line(t, "layernorm_8192x4096"));
        assertTrue(line(t, "targets:").startsWith("targets: 2 met, 2 missed"), line(t, "targets:"));
        assertTrue(line(t, "FAILED").contains("boom"), line(t, "FAILED"));
    }

    @Test
    void aRehearsalIsNotJudged(@TempDir Path dir) throws Exception {
        List<String> ours = List.of("# rehearsal sizes (-Ddpvm.bench.small=true): not a measurement", row("matmul_4096_fp32", 9.0, 0.1, "TFLOP/s"));
        List<String> theirs = List.of(row("matmul_4096_fp32", 1.0, 0.9, "TFLOP/s"));
        List<String> t = table(dir, ours, theirs);
        assertTrue(line(t, "matmul_4096_fp32").matches(".* 9\\.00 .*TFLOP/s +- +- *$"), line(t, "matmul_4096_fp32"));
        assertTrue(line(t, "targets:").startsWith("targets: not judged, a rehearsal"), line(t, "targets:"));
    }
}

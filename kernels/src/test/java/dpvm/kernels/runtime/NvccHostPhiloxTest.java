package dpvm.kernels.runtime;

import dpvm.tensor.Philox;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Philox rounds of random.cu, built for the host with nvcc, must give dpvm.tensor.Philox's words and
 * uniform values bit for bit (counters across the 32-bit boundary, all-ones seeds). The device build uses the
 * same code with __umulhi for the high product. Skipped without nvcc.
 */
class NvccHostPhiloxTest {
    private static final String HARNESS = """
            #include "random.cu"
            #include <cstdio>
            int main() {
                unsigned long long seeds[] = {0ULL, 42ULL, 0x123456789abcULL, 0xffffffffffffffffULL};
                unsigned long long counters[] = {0ULL, 1ULL, 77ULL, 0xfffffffeULL, 0x100000000ULL, 0xdeadbeefcafeULL};
                for (auto s : seeds) for (auto c : counters) {
                    unsigned int w[4];
                    philox(c, s, w);
                    printf("%llu %llu %u %u %u %u %08x\\n", s, c, w[0], w[1], w[2], w[3], __builtin_bit_cast(unsigned int, unit(w[1])));
                }
            }
            """;

    @Test
    void philoxWordsMatchTheJavaReference(@TempDir Path tmp) throws Exception {
        Path nvcc = NvccCompileTest.nvcc();
        if (nvcc == null) System.out.println("NvccHostPhiloxTest skipped: no nvcc");
        Assumptions.assumeTrue(nvcc != null, "no nvcc");
        Files.writeString(tmp.resolve("common.cuh"), KernelSources.read("common.cuh"));
        Files.writeString(tmp.resolve("random.cu"), KernelSources.read("random.cu"));
        Files.writeString(tmp.resolve("harness.cu"), HARNESS);
        Process build = new ProcessBuilder(nvcc.toString(), "-std=c++17", "-I", tmp.toString(), "-o", tmp.resolve("harness").toString(),
                tmp.resolve("harness.cu").toString()).redirectErrorStream(true).start();
        String log = new String(build.getInputStream().readAllBytes());
        assertTrue(build.waitFor(300, TimeUnit.SECONDS) && build.exitValue() == 0, "host build failed:\n" + log);
        Process run = new ProcessBuilder(tmp.resolve("harness").toString()).redirectErrorStream(true).start();
        List<String> lines = new String(run.getInputStream().readAllBytes()).lines().toList();
        assertTrue(run.waitFor(60, TimeUnit.SECONDS));
        assertEquals(24, lines.size(), String.join("\n", lines));
        for (String line : lines) {
            String[] f = line.trim().split(" ");
            long seed = Long.parseUnsignedLong(f[0]), counter = Long.parseUnsignedLong(f[1]);
            int[] want = Philox.block((int) counter, (int) (counter >>> 32), 0, 0, (int) seed, (int) (seed >>> 32));
            for (int k = 0; k < 4; k++) assertEquals(want[k], Integer.parseUnsignedInt(f[2 + k]), "word " + k + " of " + line);
            assertEquals(Float.floatToRawIntBits(Philox.uniform(want[1])), Integer.parseUnsignedInt(f[6], 16), "uniform of " + line);
        }
    }
}

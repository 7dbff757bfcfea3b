package dpvm.nativetests;

import dpvm.kernels.KernelVariants;
import dpvm.kernels.VariantNotApplicableException;
import dpvm.kernels.lab.CheckResult;
import dpvm.kernels.lab.KernelLab;
import dpvm.kernels.lab.LabCase;
import dpvm.kernels.lab.LabCases;
import dpvm.kernels.lab.LabOptions;
import dpvm.kernels.lab.LabReport;
import dpvm.kernels.lab.LabRun;
import dpvm.kernels.lab.LaunchStats;
import dpvm.kernels.lab.VariantRun;
import dpvm.tensor.Backend;
import dpvm.tensor.Backends;
import dpvm.tensor.DType;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel lab's validation path on the GPU (or the emulator): every lab kernel and every variant it lists,
 * at its small sizes, against the CPU reference; a forced variant that cannot take the operands is refused with
 * the reason; and one timed comparison per kind of ceiling. Skipped without a GPU; {@link ParitySuite} runs it.
 */
class KernelLabChecks extends GpuChecks {

    @Test
    void everyLabKernelAndVariantMatchesTheCpuAndOtherVariantsRefuseItsOperands() {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (LabCase c : LabCases.all()) {
            LabRun run = new LabRun(c, c.small());
            String automatic = run.automaticVariant();
            if (c.choice() != null && !c.variants().contains(automatic)) {
                failures.add(c.name() + ": the automatic choice " + automatic + " is not among its variants " + c.variants());
            }
            for (String v : c.variantsToRun()) {
                try {
                    CheckResult r = run.validate(v);
                    checked++;
                    if (!r.passed()) failures.add(c.name() + " " + v + ": " + r.problem());
                } catch (VariantNotApplicableException e) {
                    failures.add(c.name() + " " + v + " does not run at its small sizes: " + e.getMessage());
                }
            }
            if (c.choice() == null) continue;
            for (String other : c.choice().variants()) {
                if (c.variants().contains(other)) continue;
                try {
                    run.validate(other);
                    failures.add(c.name() + ": " + c.choice().name() + " variant " + other + " ran, but the kernel does not list it");
                } catch (VariantNotApplicableException e) {
                    assertEquals(other, e.variant());
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " lab failure(s), first " + String.join("\n", failures));
        assertTrue(checked >= LabCases.all().size(), "only " + checked + " runs were checked");
    }

    @Test
    void forcingAVariantThatCannotTakeTheOperandsFailsSayingWhy() {
        VariantNotApplicableException length = assertThrows(VariantNotApplicableException.class,
                () -> new LabRun(LabCases.named("add"), new int[] {3}).validate("vector"));
        assertEquals("binary variant \"vector\" is forced but cannot run on these operands: the length 3 is shorter than one 16-byte vector (4 float32 elements)",
                length.getMessage());

        Tensor a = new Rng(1).uniform(new int[] {1025}, DType.FLOAT32, GPU).slice(0, 1, 1025, 1), b = new Rng(2).uniform(new int[] {1024}, DType.FLOAT32, GPU);
        try (KernelVariants.Forcing f = KernelVariants.BINARY.force("vector")) {
            VariantNotApplicableException aligned = assertThrows(VariantNotApplicableException.class, () -> Backends.of(GPU).binary(Backend.Binary.ADD, a, b));
            assertTrue(aligned.reason().endsWith("are not all 16-byte aligned"), aligned.getMessage());
        }
        assertEquals(1024, Backends.of(GPU).binary(Backend.Binary.ADD, a, b).numel(), "the automatic choice takes the misaligned view");

        VariantNotApplicableException wide = assertThrows(VariantNotApplicableException.class,
                () -> new LabRun(LabCases.named("layernorm"), new int[] {2, 2000}).validate("warp"));
        assertEquals("rows of 2000 values exceed the warp kernel's 1024", wide.reason());

        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> new LabRun(LabCases.named("add"), new int[] {8}).validate("flat8"));
        assertTrue(unknown.getMessage().contains("binary (strided, flat, vector)"), unknown.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> new LabRun(LabCases.named("cross-entropy"), new int[] {2, 8}).validate("warp"));
        assertEquals("cross-entropy has one kernel, no variants to choose from (see KernelLab list)", none.getMessage());
        assertEquals(null, KernelVariants.BINARY.forced(), "forcing ends with the run");
    }

    @Test
    void aVariantsRunTimesEachVariantAgainstTheCopyRateAndMarksTheAutomaticOne() {
        LabReport r = KernelLab.measure(LabOptions.parse("add", "4096", "--variants", "--repeats", "1", "--warmup", "0"));
        assertEquals(List.of("strided", "flat", "vector"), r.rows().stream().map(VariantRun::variant).toList());
        assertEquals(List.of(false, false, true), r.rows().stream().map(VariantRun::automatic).toList());
        assertTrue(r.passed() && !r.computeBound() && r.ceiling() > 0 && r.bytes() == 3 * 4 * 4096, r.toString());
        for (VariantRun v : r.rows()) assertTrue(v.medianMs() > 0 && v.check().passed(), v.toString());
        assertTrue(printed(r).contains("  vector (auto) "), printed(r));
        // each variant is one launch of its own kernel, named, with the driver's figures where it gives them
        assertEquals(List.of(List.of("binary_f32"), List.of("binary_flat_f32"), List.of("binary_vector_f32")),
                r.rows().stream().map(v -> v.launches().stream().map(LaunchStats::kernel).toList()).toList());
        for (VariantRun v : r.rows()) {
            LaunchStats l = v.launches().get(0);
            assertTrue(l.calls() == 1 && l.grid() >= 1 && l.block() == 256 && l.sharedBytes() == 0, l.toString());
            if (emulator()) {
                assertEquals(null, l.resources(), "the emulator has no compiler's register counts to give");
            } else {
                assertTrue(l.resources().registers() > 0 && l.resources().blocksResident() >= 1, l.toString());
                assertTrue(l.occupancyPercent(r.threadsPerMultiprocessor()) > 0 && l.waves(r.multiprocessors()) > 0, l.toString());
            }
        }
        assertTrue(printed(r).contains(" binary_vector_f32 "), printed(r));
        assertEquals(emulator(), printed(r).contains("occupancy: not reported by " + r.device()), printed(r));

        LabReport n = KernelLab.measure(LabOptions.parse("add", "3", "--variant", "vector", "--repeats", "1", "--warmup", "0"));
        assertEquals("the length 3 is shorter than one 16-byte vector (4 float32 elements)", n.rows().get(0).notApplicable());
        assertTrue(!n.passed(), "a forced variant that did not run fails the command");
    }

    @Test
    void aConvolutionRunReportsTflopsAgainstCublasAndTheCudnnAlgorithm() {
        LabReport r = KernelLab.measure(LabOptions.parse("conv3d-backward-filter", "1", "2", "3", "4", "5", "6", "3", "--repeats", "1", "--warmup", "0"));
        assertTrue(r.passed() && r.computeBound() && r.ceiling() > 0, r.toString());
        assertEquals(2.0 * (4 * 5 * 6) * 3 * 2 * 27, r.flops());
        assertTrue(r.rows().get(0).note().startsWith("cuDNN backward-filter: "), r.rows().get(0).note());
        assertTrue(printed(r).contains("% of cuBLAS"), printed(r));
    }

    private static String printed(LabReport r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        r.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

package dpvm.kernels.lab;

import dpvm.kernels.KernelVariants;
import dpvm.tensor.Scope;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lab's kernel table, on the CPU: names, sizes, variants, and each problem's op on its small inputs. */
class LabCasesTest {
    @Test
    void everyKernelIsNamedOnceAndFoundByName() {
        Set<String> names = new HashSet<>();
        for (LabCase c : LabCases.all()) {
            assertTrue(names.add(c.name()), "duplicate kernel " + c.name());
            assertSame(c, LabCases.named(c.name()));
        }
        assertTrue(names.containsAll(List.of("add", "layernorm-backward", "softmax-backward", "adam", "dropout", "cross-entropy", "maxpool3d",
                "index-select", "gather", "where", "transpose", "conv3d", "conv3d-backward-data", "conv3d-backward-filter")), names.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabCases.named("addd"));
        assertTrue(e.getMessage().startsWith("no lab kernel called \"addd\"; kernels: add, mul, "), e.getMessage());
    }

    @Test
    void everyOpWithVariantsHasALabKernelForEachVariant() {
        for (KernelVariants.Choice choice : KernelVariants.all()) {
            Set<String> covered = new HashSet<>();
            LabCases.all().stream().filter(c -> c.choice() == choice).forEach(c -> covered.addAll(c.variants()));
            assertEquals(new HashSet<>(choice.variants()), covered, "lab kernels exercising " + choice.name());
        }
    }

    @Test
    void everyProblemRunsOnTheCpuAtItsSmallSizesWithANameForEachOutput() {
        for (LabCase c : LabCases.all()) {
            Problem p = c.problem().apply(c.small());
            assertTrue(p.computeBound() ? p.flops > 0 && p.gemm.length == 3 : p.bytes > 0, c.name());
            try (Scope s = Scope.open()) {
                Tensor[] out = p.op.apply(p.inputs.get());
                assertTrue(out.length >= 1, c.name());
                for (int i = 0; i < out.length; i++) {
                    assertTrue(out[i].numel() > 0, c.name() + " output " + i);
                    assertTrue(!p.outputName(i).startsWith("output "), c.name() + " names no output " + i);
                }
            }
        }
    }

    @Test
    void aCaseRefusesVariantsItsOpDoesNotHaveAndSizesWithoutNames() {
        LabCase add = LabCases.named("add");
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class, () -> add.varying(KernelVariants.COPY, "vector"));
        assertTrue(v.getMessage().startsWith("add: variants [vector] are not variants of copy"), v.getMessage());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                () -> LabCase.of("x", "R C", "", new int[] {1}, new int[] {1}, add.problem()));
        assertEquals("x: sizes R C need as many defaults and small sizes", s.getMessage());
    }

    @Test
    void theListNamesEveryKernelWithItsVariants() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        KernelLab.list(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String list = bytes.toString(StandardCharsets.UTF_8);
        for (LabCase c : LabCases.all()) assertTrue(list.contains("  " + c.name() + " "), c.name() + " missing from\n" + list);
        assertTrue(list.contains("binary: strided, flat, vector"), list);
        assertTrue(list.contains("copy: strided "), "transpose lists only the variant that can take a transposed view\n" + list);
    }
}

package dpvm.kernels.lab;

import dpvm.kernels.MathMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel lab's command line. */
class LabOptionsTest {
    @Test
    void kernelSizesAndEveryOption() {
        LabOptions o = LabOptions.parse("layernorm", "8192", "--variant", "block", "1024", "--math", "tf32", "--repeats", "5", "--warmup", "0",
                "--profile", "--no-check", "--autotune");
        assertEquals("layernorm", o.kernel());
        assertArrayEquals(new int[] {8192, 1024}, o.sizes(), "sizes may come before and after options");
        assertEquals("block", o.variant());
        assertFalse(o.allVariants());
        assertEquals(MathMode.TF32, o.math());
        assertEquals(5, o.repeats());
        assertEquals(0, o.warmup());
        assertTrue(o.profile());
        assertFalse(o.check());
        assertTrue(o.autotune());
    }

    @Test
    void defaultsAreTheAutomaticVariantTwentyRepeatsThreeWarmUpsAndACheck() {
        LabOptions o = LabOptions.parse("add");
        assertNull(o.variant());
        assertNull(o.math(), "the math mode is left as it is");
        assertEquals(20, o.repeats());
        assertEquals(3, o.warmup());
        assertTrue(o.check() && !o.profile() && !o.allVariants() && !o.listOnly() && !o.autotune());
        assertTrue(LabOptions.parse("add", "--variants").allVariants());
        assertTrue(LabOptions.parse("list").listOnly());
    }

    @Test
    void sizesGivenReplaceTheLeadingDefaults() {
        assertArrayEquals(new int[] {1024, 4096, 4096}, LabOptions.parse("matmul", "1024").sizesOver(new int[] {4096, 4096, 4096}));
        assertArrayEquals(new int[] {7, 8}, LabOptions.parse("softmax", "7", "8").sizesOver(new int[] {8192, 4096}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabOptions.parse("add", "1", "2").sizesOver(new int[] {5}));
        assertEquals("add takes at most 1 sizes, got [1, 2]", e.getMessage());
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        assertEquals("no kernel named; " + LabOptions.USAGE, message());
        assertEquals("unknown option --repeat; " + LabOptions.USAGE, message("add", "--repeat", "3"));
        assertEquals("--variant needs a value", message("add", "--variant"));
        assertEquals("--variant needs a value", message("add", "--variant", "--variants"));
        assertEquals("--variant flat and --variants exclude each other: one variant, or all of them", message("add", "--variant", "flat", "--variants"));
        assertEquals("size must be a whole number, got \"64M\"", message("add", "64M"));
        assertEquals("size must be at least 1, got 0", message("add", "0"));
        assertEquals("--repeats must be at least 1, got 0", message("add", "--repeats", "0"));
        assertEquals("--warmup must be a whole number, got \"x\"", message("add", "--warmup", "x"));
        assertEquals("--math takes [fp32, tf32, bf16], got \"fp16\"", message("add", "--math", "fp16"));
        assertEquals("list takes no sizes or variants", message("list", "--variants"));
    }

    private static String message(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> LabOptions.parse(args)).getMessage();
    }
}

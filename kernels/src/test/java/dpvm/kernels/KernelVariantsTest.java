package dpvm.kernels;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The variant registry: automatic choice, forcing, and the errors for unknown or inapplicable variants. */
class KernelVariantsTest {
    private static KernelVariants.Choice choice(String forcedByProperty) {
        return new KernelVariants.Choice("demo", List.of("plain", "fast"), forcedByProperty);
    }

    @Test
    void unforcedDispatchTakesTheAutomaticChoiceWithoutAskingApplicability() {
        KernelVariants.Choice c = choice(null);
        assertNull(c.lastAutomatic());
        assertEquals("fast", c.pick("fast", v -> fail("applicability is only asked of a forced variant")));
        assertEquals("fast", c.lastAutomatic());
        assertEquals("plain", c.pick("plain", v -> "never asked"));
        assertEquals("plain", c.lastAutomatic());
    }

    @Test
    void aForcedVariantRunsWhileForcedAndTheOldChoiceComesBackOnClose() {
        KernelVariants.Choice c = choice(null);
        try (KernelVariants.Forcing f = c.force("plain")) {
            assertEquals("plain", c.forced());
            assertEquals("plain", c.pick("fast", v -> null));
            assertNull(c.lastAutomatic(), "a forced pick is not the automatic choice");
            try (KernelVariants.Forcing inner = c.force(null)) {
                assertEquals("fast", c.pick("fast", v -> null));
            }
            assertEquals("plain", c.forced());
        }
        assertNull(c.forced());
    }

    @Test
    void aForcedVariantThatCannotRunSaysWhichAndWhy() {
        KernelVariants.Choice c = choice(null);
        try (KernelVariants.Forcing f = c.force("fast")) {
            VariantNotApplicableException e = assertThrows(VariantNotApplicableException.class,
                    () -> c.pick("plain", v -> v.equals("fast") ? "the length 1001 is not a multiple of 4" : null));
            assertEquals("demo", e.op());
            assertEquals("fast", e.variant());
            assertEquals("demo variant \"fast\" is forced but cannot run on these operands: the length 1001 is not a multiple of 4", e.getMessage());
        }
    }

    @Test
    void unknownVariantNamesAreRejectedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> choice(null).force("fastest"));
        assertTrue(e.getMessage().contains("\"fastest\"") && e.getMessage().contains("demo (plain, fast)"), e.getMessage());
        // a property is read when the class loads; its typo surfaces at the first dispatch, naming the property
        KernelVariants.Choice typo = choice("fastest");
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> typo.pick("plain", v -> null));
        assertTrue(p.getMessage().startsWith("-Ddpvm.kernels.variant.demo names \"fastest\""), p.getMessage());
    }

    @Test
    void aPropertyForcesItsVariant() {
        KernelVariants.Choice c = choice(" plain ");
        assertEquals("plain", c.forced());
        assertEquals("plain", c.pick("fast", v -> null));
        assertNull(choice("").forced(), "an empty property leaves the choice automatic");
    }

    @Test
    void everyOpIsFoundByNameAndHasDistinctVariants() {
        Set<String> names = new HashSet<>();
        for (KernelVariants.Choice c : KernelVariants.all()) {
            assertTrue(names.add(c.name()), "duplicate op " + c.name());
            assertSame(c, KernelVariants.named(c.name()));
            assertEquals(c.variants().size(), new HashSet<>(c.variants()).size(), c.name());
            assertTrue(c.variants().size() >= 2, c.name() + " needs two variants to choose between");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelVariants.named("where"));
        assertTrue(e.getMessage().contains("binary, layernorm, layernorm-backward, softmax, softmax-backward, reduce, copy"), e.getMessage());
    }
}

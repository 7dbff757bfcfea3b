package dpvm.kernels.lab;

import dpvm.kernels.KernelVariants;

import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * One kernel of the lab: its name and sizes, what it runs, the default sizes (GPU scale) and small ones (every
 * variant runs on them in the emulated test), the op whose variants it exercises (null when its dispatch has
 * one kernel) and those variants, and how to build the {@link Problem} for given sizes.
 *
 * @param sizeNames the sizes' names, e.g. "R C"
 */
public record LabCase(String name, String sizeNames, String about, int[] defaults, int[] small, KernelVariants.Choice choice,
                      List<String> variants, Function<int[], Problem> problem) {
    public LabCase {
        if (defaults.length != sizeNames.split(" ").length || small.length != defaults.length) {
            throw new IllegalArgumentException(name + ": sizes " + sizeNames + " need as many defaults and small sizes");
        }
        if (choice == null ? !variants.isEmpty() : !choice.variants().containsAll(variants) || variants.isEmpty()) {
            throw new IllegalArgumentException(name + ": variants " + variants + " are not variants of " + choice);
        }
    }

    static LabCase of(String name, String sizeNames, String about, int[] defaults, int[] small, Function<int[], Problem> problem) {
        return new LabCase(name, sizeNames, about, defaults, small, null, List.of(), problem);
    }

    /** The same kernel exercising {@code variants} of {@code choice} (all of them when none are named). */
    LabCase varying(KernelVariants.Choice choice, String... variants) {
        return new LabCase(name, sizeNames, about, defaults, small, choice, variants.length == 0 ? choice.variants() : List.of(variants), problem);
    }

    /** The variants a --variants run compares: those this kernel exercises, or the automatic choice alone. */
    public List<String> variantsToRun() {
        return variants.isEmpty() ? Collections.singletonList(null) : variants;
    }
}

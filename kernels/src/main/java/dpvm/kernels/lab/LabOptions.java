package dpvm.kernels.lab;

import dpvm.kernels.MathMode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The kernel lab's command line: {@code KERNEL [SIZES...] [--variant NAME | --variants] [--math fp32|tf32|bf16]
 * [--autotune] [--repeats N] [--warmup N] [--profile] [--no-check]}, or {@code list}. Sizes left out take the
 * kernel's defaults.
 *
 * @param variant  the variant to force, or null for the automatic choice
 * @param math     the math mode to set, or null to keep the current one
 * @param autotune cuDNN algorithms by measured time ({@code -Ddpvm.cudnn.benchmark=true}) rather than heuristics
 */
public record LabOptions(String kernel, int[] sizes, String variant, boolean allVariants, MathMode math, boolean autotune, int repeats,
                         int warmup, boolean profile, boolean check) {
    public static final String USAGE = "usage: KernelLab list | KERNEL [SIZES...] [--variant NAME | --variants] [--math fp32|tf32|bf16]"
            + " [--autotune] [--repeats N (20)] [--warmup N (3)] [--profile] [--no-check]";

    public LabOptions {
        sizes = sizes.clone();
    }

    @Override
    public int[] sizes() {
        return sizes.clone();
    }

    /** Whether this only asks for the list of kernels. */
    public boolean listOnly() {
        return kernel.equals("list");
    }

    /** Parses the arguments; throws {@link IllegalArgumentException} naming the argument that is wrong. */
    public static LabOptions parse(String... args) {
        String kernel = null, variant = null;
        boolean all = false, profile = false, check = true, autotune = false;
        MathMode math = null;
        int repeats = 20, warmup = 3;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--variant" -> variant = value(args, i++);
                case "--variants" -> all = true;
                case "--math" -> math = mathMode(value(args, i++));
                case "--autotune" -> autotune = true;
                case "--repeats" -> repeats = count(a, value(args, i++), 1);
                case "--warmup" -> warmup = count(a, value(args, i++), 0);
                case "--profile" -> profile = true;
                case "--no-check" -> check = false;
                default -> {
                    if (a.startsWith("--")) throw new IllegalArgumentException("unknown option " + a + "; " + USAGE);
                    if (kernel == null) kernel = a;
                    else sizes.add(count("size", a, 1));
                }
            }
        }
        if (kernel == null) throw new IllegalArgumentException("no kernel named; " + USAGE);
        if (variant != null && all) throw new IllegalArgumentException("--variant " + variant + " and --variants exclude each other: one variant, or all of them");
        if (kernel.equals("list") && (!sizes.isEmpty() || variant != null || all)) throw new IllegalArgumentException("list takes no sizes or variants");
        return new LabOptions(kernel, sizes.stream().mapToInt(Integer::intValue).toArray(), variant, all, math, autotune, repeats, warmup, profile, check);
    }

    private static String value(String[] args, int at) {
        if (at + 1 >= args.length || args[at + 1].startsWith("--")) throw new IllegalArgumentException(args[at] + " needs a value");
        return args[at + 1];
    }

    private static int count(String what, String text, int min) {
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, got \"" + text + "\"");
        }
        if (v < min) throw new IllegalArgumentException(what + " must be at least " + min + ", got " + v);
        return v;
    }

    private static MathMode mathMode(String text) {
        try {
            return MathMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--math takes " + Arrays.toString(MathMode.values()).toLowerCase() + ", got \"" + text + "\"");
        }
    }

    /** The sizes to run: those given, then the kernel's defaults for the rest. */
    public int[] sizesOver(int[] defaults) {
        if (sizes.length > defaults.length) throw new IllegalArgumentException(kernel + " takes at most " + defaults.length + " sizes, got " + Arrays.toString(sizes));
        int[] s = defaults.clone();
        System.arraycopy(sizes, 0, s, 0, sizes.length);
        return s;
    }
}

package dpvm.kernels;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The ops whose dispatch chooses among several kernels, their variants, and the switch that forces one. By
 * default each dispatch site takes its automatic choice (from dtype, layout, alignment and sizes); a variant is
 * forced with {@code -Ddpvm.kernels.variant.OP=NAME} or {@link Choice#force}, so the kernel lab (and anyone
 * comparing variants) can run each one on the same operands. A forced variant that cannot handle the operands
 * fails with {@link VariantNotApplicableException} instead of quietly falling back, so a measurement never
 * reports one kernel under another's name.
 *
 * <table>
 * <tr><th>op</th><th>variants (kernels)</th><th>automatic choice</th></tr>
 * <tr><td>unary</td><td>strided ({@code unary_*}), vector ({@code unary_vector_*})</td>
 * <td>vector for a dense input with 16-byte aligned pointers and at least one vector's elements, else strided</td></tr>
 * <tr><td>binary</td><td>strided ({@code binary_*}), flat ({@code binary_flat_*}), vector ({@code binary_vector_*})</td>
 * <td>vector for dense same-shape operands with 16-byte aligned pointers and at least one vector's elements, else
 * flat for dense same-shape operands, else strided</td></tr>
 * <tr><td>layernorm, layernorm-backward</td><td>warp ({@code layer_norm_*_w<VPT>}), block ({@code _b}), wide ({@code _wide})</td>
 * <td>warp up to 1024 values per row, block up to 8192, wide beyond</td></tr>
 * <tr><td>softmax, softmax-backward</td><td>rows ({@code softmax_fwd_*}, {@code softmax_bwd_*}), registers ({@code softmax_fwd_r<ITEMS>_*}, {@code softmax_bwd_r<ITEMS>_*})</td>
 * <td>registers for rows up to 8192 float32 (4096 float64) values, else rows</td></tr>
 * <tr><td>reduce</td><td>rows ({@code reduce_rows_*}), cols ({@code reduce_cols_*}), split ({@code reduce_split_*})</td>
 * <td>cols when the reduced dims of a contiguous tensor are one run with at least 32 columns after it; rows
 * when they are its trailing dims and there are four outputs per multiprocessor; split for any other
 * contiguous tensor whose kept dims are one run; else rows after a transposing copy</td></tr>
 * <tr><td>copy</td><td>memcpy ({@code cudaMemcpyAsync}), strided ({@code copy_*})</td>
 * <td>memcpy for a same-dtype copy between dense tensors of one shape, else strided</td></tr>
 * <tr><td>batchnorm, batchnorm-backward</td><td>split ({@code bn_*}), cudnn ({@code cudnnBatchNormalization*})</td>
 * <td>split (cudnn takes eps down to cuDNN's minimum, 0 in cuDNN 9; the lab compares the two)</td></tr>
 * <tr><td>index-add</td><td>atomic ({@code index_add_*}), sorted ({@code index_keys_*}, {@code merge_pass}, {@code segment_starts}, {@code index_add_sorted_*})</td>
 * <td>sorted when {@link Determinism#required()}, else atomic</td></tr>
 * <tr><td>scatter-add</td><td>atomic ({@code scatter_add_*}), gather ({@code scatter_add_gather_*})</td>
 * <td>gather when {@link Determinism#required()}, else atomic</td></tr>
 * </table>
 */
public final class KernelVariants {
    /** Prefix of the system properties that force a variant: {@code dpvm.kernels.variant.binary=flat}. */
    public static final String PROPERTY_PREFIX = "dpvm.kernels.variant.";

    public static final Choice UNARY = Choice.fromProperty("unary", "strided", "vector");
    public static final Choice BINARY = Choice.fromProperty("binary", "strided", "flat", "vector");
    public static final Choice LAYER_NORM = Choice.fromProperty("layernorm", "warp", "block", "wide");
    public static final Choice LAYER_NORM_BACKWARD = Choice.fromProperty("layernorm-backward", "warp", "block", "wide");
    public static final Choice SOFTMAX = Choice.fromProperty("softmax", "rows", "registers");
    public static final Choice SOFTMAX_BACKWARD = Choice.fromProperty("softmax-backward", "rows", "registers");
    public static final Choice REDUCE = Choice.fromProperty("reduce", "rows", "cols", "split");
    public static final Choice COPY = Choice.fromProperty("copy", "memcpy", "strided");
    public static final Choice BATCH_NORM = Choice.fromProperty("batchnorm", "split", "cudnn");
    public static final Choice BATCH_NORM_BACKWARD = Choice.fromProperty("batchnorm-backward", "split", "cudnn");
    public static final Choice INDEX_ADD = Choice.fromProperty("index-add", "atomic", "sorted");
    public static final Choice SCATTER_ADD = Choice.fromProperty("scatter-add", "atomic", "gather");

    private static final List<Choice> ALL = List.of(UNARY, BINARY, LAYER_NORM, LAYER_NORM_BACKWARD, SOFTMAX, SOFTMAX_BACKWARD, REDUCE, COPY, BATCH_NORM, BATCH_NORM_BACKWARD,
            INDEX_ADD, SCATTER_ADD);

    private KernelVariants() {}

    /** Every op with variants, in the order above. */
    public static List<Choice> all() {
        return ALL;
    }

    /** The choice of the op called {@code name}; throws naming the known ops if there is none. */
    public static Choice named(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no kernel op called \"" + name + "\" has variants; ops with variants: "
                + String.join(", ", ALL.stream().map(Choice::name).toList())));
    }

    public static Optional<Choice> find(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** One op's variants, the one forced (if any), and the variant its dispatch last chose by itself. */
    public static final class Choice {
        private final String name;
        private final List<String> variants;
        private final String forcedBy;
        private volatile String forced;
        private volatile String lastAutomatic;

        /**
         * {@code forcedByProperty} is the value of {@code -Ddpvm.kernels.variant.NAME} (null when unset); a name
         * that is not a variant is reported at the first dispatch, so a typo fails loudly instead of timing the
         * automatic choice.
         */
        Choice(String name, List<String> variants, String forcedByProperty) {
            this.name = name;
            this.variants = List.copyOf(variants);
            this.forced = forcedByProperty == null || forcedByProperty.isBlank() ? null : forcedByProperty.trim();
            this.forcedBy = "-D" + PROPERTY_PREFIX + name;
        }

        static Choice fromProperty(String name, String... variants) {
            return new Choice(name, List.of(variants), System.getProperty(PROPERTY_PREFIX + name));
        }

        public String name() {
            return name;
        }

        public List<String> variants() {
            return variants;
        }

        /** The forced variant, or null when dispatch chooses by itself. */
        public String forced() {
            return forced;
        }

        /** The variant the last unforced dispatch of this op chose (null before the first). */
        public String lastAutomatic() {
            return lastAutomatic;
        }

        /**
         * Forces {@code variant} (null restores the automatic choice) until the returned handle is closed, which
         * restores what was forced before.
         */
        public Forcing force(String variant) {
            if (variant != null && !variants.contains(variant)) throw unknown(variant, "variant");
            String before = forced;
            forced = variant;
            return () -> forced = before;
        }

        /**
         * The variant to launch: {@code automatic} unless one is forced. {@code whyNot} maps a variant to the
         * reason it cannot handle these operands, or null when it can; it is consulted only for a forced variant.
         */
        public String pick(String automatic, Function<String, String> whyNot) {
            String f = forced;
            if (f == null) {
                lastAutomatic = automatic;
                return automatic;
            }
            if (!variants.contains(f)) throw unknown(f, forcedBy);
            String reason = whyNot.apply(f);
            if (reason != null) throw new VariantNotApplicableException(name, f, reason);
            return f;
        }

        private IllegalArgumentException unknown(String variant, String where) {
            return new IllegalArgumentException(where + " names \"" + variant + "\", which is not a variant of " + name + " (" + String.join(", ", variants) + ")");
        }

        @Override
        public String toString() {
            return name + " " + variants + (forced == null ? "" : " forced " + forced);
        }
    }

    /** Undoes one {@link Choice#force}. */
    public interface Forcing extends AutoCloseable {
        @Override
        void close();
    }
}

package dpvm.kernels.runtime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every kernel name the Java side launches, by file, so the compile tests catch a name that was never built. */
final class KernelNames {
    private KernelNames() {}

    static final List<String> ALL = List.of("f32", "f64", "i32", "i64");
    static final List<String> FLOATS = List.of("f32", "f64");
    /** The dtypes with copy, fill and elementwise kernels (DPVM_FOR_EACH_STORED_TYPE). */
    static final List<String> STORED = List.of("f32", "f64", "i32", "i64", "bf16");

    static Map<String, List<String>> expected() {
        List<String> elementwise = new ArrayList<>(), copy = new ArrayList<>(), reduce = new ArrayList<>(), softmax = new ArrayList<>(),
                index = new ArrayList<>(), random = new ArrayList<>(), pool = new ArrayList<>(), norm = new ArrayList<>(),
                batchNorm = new ArrayList<>();
        for (String t : STORED) {
            elementwise.addAll(List.of("unary_" + t, "unary_vector_" + t, "binary_" + t, "binary_flat_" + t, "binary_vector_" + t));
            for (String c : STORED) {
                elementwise.add("where_" + c + "_" + t);
                copy.add("copy_" + c + "_" + t);
            }
            copy.add("fill_" + t);
        }
        for (String t : ALL) {
            reduce.addAll(List.of("reduce_rows_" + t, "reduce_cols_" + t, "reduce_split_" + t, "reduce_split_finish_" + t, "argreduce_rows_" + t));
            for (String i : List.of("i32", "i64")) {
                for (String k : List.of("index_select_", "index_add_", "gather_", "scatter_add_")) index.add(k + t + "_" + i);
            }
        }
        for (String t : FLOATS) {
            softmax.addAll(List.of("softmax_fwd_" + t, "softmax_bwd_" + t));
            for (int items = 1; items <= (t.equals("f32") ? 32 : 16); items *= 2) softmax.addAll(List.of("softmax_fwd_r" + items + "_" + t, "softmax_bwd_r" + items + "_" + t));
            random.addAll(List.of("uniform_" + t, "normal_" + t, "adam_" + t));
            pool.addAll(List.of("maxpool_fwd_" + t, "maxpool_bwd_" + t, "avgpool_fwd_" + t, "avgpool_bwd_" + t));
            for (String v : List.of("w1", "w2", "w4", "w8", "w16", "w32", "b", "wide")) norm.addAll(List.of("layer_norm_fwd_" + v + "_" + t, "layer_norm_bwd_" + v + "_" + t));
            norm.addAll(List.of("layer_norm_bwd_cols_" + t, "layer_norm_bwd_colsum_" + t));
            for (String k : List.of("bn_stats_", "bn_stats_finish_", "bn_apply_", "bn_grad_sums_", "bn_grad_finish_", "bn_grad_input_")) batchNorm.add(k + t);
        }
        for (String t : FLOATS) {
            random.add("dropout_" + t);
            for (String i : List.of("i32", "i64")) softmax.addAll(List.of("cross_entropy_fwd_" + t + "_" + i, "cross_entropy_bwd_" + t + "_" + i));
        }
        return Map.of("elementwise.cu", elementwise, "copy.cu", copy, "reduce.cu", reduce, "softmax.cu", softmax,
                "index.cu", index, "random.cu", random, "pool.cu", pool, "norm.cu", norm, "batchnorm.cu", batchNorm);
    }

    /** Names missing from a cubin's symbol table (extern "C" names appear verbatim, NUL-terminated). */
    static List<String> missing(String file, byte[] cubin) {
        String text = new String(cubin, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        for (String n : expected().get(file)) if (!text.contains("\0" + n + "\0")) out.add(file + ": " + n);
        return out;
    }
}

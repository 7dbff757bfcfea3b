package dpvm.nn;

import dpvm.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Key surgery on state dicts before {@link Module#loadStateDict}: checkpoints saved from nn.DataParallel carry a
 * {@code module.} prefix (Hara et al.'s CVPR2018 and K-600 files), classification checkpoints wrap a backbone
 * ({@code vivit.}), and feature extractors drop heads ({@code fc.}).
 */
public final class StateDicts {
    private StateDicts() {}

    /** Keys starting with {@code prefix} lose it; other keys are kept unchanged. */
    public static Map<String, Tensor> stripPrefix(Map<String, Tensor> sd, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : sd.entrySet()) out.put(e.getKey().startsWith(prefix) ? e.getKey().substring(prefix.length()) : e.getKey(), e.getValue());
        return out;
    }

    public static Map<String, Tensor> addPrefix(Map<String, Tensor> sd, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : sd.entrySet()) out.put(prefix + e.getKey(), e.getValue());
        return out;
    }

    /** Only the entries whose key passes {@code keep}. */
    public static Map<String, Tensor> filter(Map<String, Tensor> sd, Predicate<String> keep) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : sd.entrySet()) if (keep.test(e.getKey())) out.put(e.getKey(), e.getValue());
        return out;
    }
}

package dpvm.nn.io;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames the keys of a checkpoint to the names a model expects. Rules run in the order they
 * were added, each on the output of the one before, e.g.
 * <pre>{@code
 * KeyMapping m = KeyMapping.builder()
 *         .stripPrefix("module.")          // saved from DataParallel
 *         .stripPrefix("vivit.")           // HuggingFace model wrapper
 *         .dropNumBatchesTracked()
 *         .rename("\\.gamma$", ".weight")
 *         .build();
 * WeightFile w = m.view(SafeTensors.open(path));
 * }</pre>
 */
public final class KeyMapping {

    /** Suffix of BatchNorm's step counter, which inference never needs. */
    public static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

    /** What one rule did to one key; {@code to} is null when the key was dropped. */
    public record Change(String from, String to, String rule) {
        @Override
        public String toString() {
            return to == null ? "dropped " + from + " (" + rule + ")" : from + " -> " + to + " (" + rule + ")";
        }
    }

    /**
     * The outcome of mapping a set of names: new name to original name, in source order, plus
     * every change made (one entry per rule that altered a key).
     */
    public record Result(Map<String, String> newToOld, List<Change> changes) {
        public Result {
            newToOld = Collections.unmodifiableMap(new LinkedHashMap<>(newToOld));
            changes = List.copyOf(changes);
        }

        /** Keys that were dropped, in source order. */
        public List<String> dropped() {
            List<String> out = new ArrayList<>();
            for (Change c : changes) {
                if (c.to() == null) {
                    out.add(c.from());
                }
            }
            return out;
        }

        /** One line per change, for logs. */
        public String report() {
            StringBuilder sb = new StringBuilder();
            sb.append(newToOld.size()).append(" keys kept, ").append(dropped().size()).append(" dropped\n");
            for (Change c : changes) {
                sb.append("  ").append(c).append('\n');
            }
            return sb.toString();
        }
    }

    private interface Rule {
        /** The new key, the same key when the rule does not apply, or null to drop it. */
        String apply(String key);

        String describe();
    }

    private final List<Rule> rules;

    private KeyMapping(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No renaming at all. */
    public static KeyMapping identity() {
        return new KeyMapping(List.of());
    }

    /** True for BatchNorm's {@code num_batches_tracked} buffer, so loaders can tolerate it being missing or extra. */
    public static boolean isNumBatchesTracked(String key) {
        return key.equals(NUM_BATCHES_TRACKED) || key.endsWith("." + NUM_BATCHES_TRACKED);
    }

    /** The new name of {@code key}, or null if a rule drops it. */
    public String map(String key) {
        String k = key;
        for (Rule r : rules) {
            k = r.apply(k);
            if (k == null) {
                return null;
            }
        }
        return k;
    }

    /**
     * Maps every name.
     *
     * @throws IllegalArgumentException if two names end up the same
     */
    public Result apply(Collection<String> names) {
        Map<String, String> newToOld = new LinkedHashMap<>();
        List<Change> changes = new ArrayList<>();
        for (String original : names) {
            String k = original;
            for (Rule r : rules) {
                String next = r.apply(k);
                if (!Objects.equals(next, k)) {
                    changes.add(new Change(k, next, r.describe()));
                }
                k = next;
                if (k == null) {
                    break;
                }
            }
            if (k == null) {
                continue;
            }
            String clash = newToOld.putIfAbsent(k, original);
            if (clash != null) {
                throw new IllegalArgumentException("keys \"" + clash + "\" and \"" + original
                        + "\" both map to \"" + k + "\"");
            }
        }
        return new Result(newToOld, changes);
    }

    /**
     * {@code source} seen through this mapping: names are the mapped names and tensors carry
     * them. Closing the view closes {@code source}.
     */
    public WeightFile view(WeightFile source) {
        return new MappedWeightFile(source, apply(source.names()));
    }

    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();

        private Builder() {
        }

        /** Removes {@code prefix} from keys that start with it (others are left alone). */
        public Builder stripPrefix(String prefix) {
            Objects.requireNonNull(prefix);
            return add("strip prefix " + prefix, k -> k.startsWith(prefix) ? k.substring(prefix.length()) : k);
        }

        /** Puts {@code prefix} in front of every key. */
        public Builder addPrefix(String prefix) {
            Objects.requireNonNull(prefix);
            return add("add prefix " + prefix, k -> prefix + k);
        }

        /** Drops BatchNorm's {@code num_batches_tracked} buffers. */
        public Builder dropNumBatchesTracked() {
            return add("drop " + NUM_BATCHES_TRACKED, k -> isNumBatchesTracked(k) ? null : k);
        }

        /** Drops keys in which {@code regex} is found. */
        public Builder drop(String regex) {
            Pattern p = Pattern.compile(regex);
            return add("drop /" + regex + "/", k -> p.matcher(k).find() ? null : k);
        }

        /**
         * Replaces every match of {@code regex} by {@code replacement} ({@code $1} etc. refer to
         * groups), in keys where it is found.
         */
        public Builder rename(String regex, String replacement) {
            Pattern p = Pattern.compile(regex);
            Objects.requireNonNull(replacement);
            return add("rename /" + regex + "/ -> " + replacement, k -> {
                Matcher m = p.matcher(k);
                return m.find() ? m.replaceAll(replacement) : k;
            });
        }

        /** Applies several renames in order; the map's iteration order matters. */
        public Builder renameAll(Map<String, String> regexToReplacement) {
            regexToReplacement.forEach(this::rename);
            return this;
        }

        public KeyMapping build() {
            return new KeyMapping(rules);
        }

        private Builder add(String description, java.util.function.UnaryOperator<String> f) {
            rules.add(new Rule() {
                @Override
                public String apply(String key) {
                    return f.apply(key);
                }

                @Override
                public String describe() {
                    return description;
                }
            });
            return this;
        }
    }
}

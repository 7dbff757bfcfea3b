package dpvm.data;

import java.util.Map;
import java.util.Optional;

/**
 * The three MVED polarity labels. The numeric value is what the polarity penalty of eq. (11) uses:
 * {@code |label_k - label_i|} is 2 for opposite polarities and 1 between neutral and either.
 */
public enum Polarity {
    NEGATIVE(-1, "Negative"),
    NEUTRAL(0, "Neutral"),
    POSITIVE(1, "Positive");

    private final int value;
    private final String label;

    Polarity(int value, String label) {
        this.value = value;
        this.label = label;
    }

    public int value() {
        return value;
    }

    /** The spelling written to manifests. */
    public String label() {
        return label;
    }

    private static final Map<String, Polarity> ALIASES = Map.ofEntries(
            Map.entry("positive", POSITIVE), Map.entry("pos", POSITIVE), Map.entry("1", POSITIVE),
            Map.entry("积极", POSITIVE), Map.entry("正面", POSITIVE), Map.entry("正向", POSITIVE), Map.entry("正", POSITIVE),
            Map.entry("negative", NEGATIVE), Map.entry("neg", NEGATIVE),
            Map.entry("消极", NEGATIVE), Map.entry("负面", NEGATIVE), Map.entry("负向", NEGATIVE), Map.entry("负", NEGATIVE),
            Map.entry("neutral", NEUTRAL), Map.entry("neu", NEUTRAL), Map.entry("0", NEUTRAL),
            Map.entry("中性", NEUTRAL), Map.entry("中立", NEUTRAL));

    /**
     * Reads a label however it was typed: any case, with punctuation, a Chinese term, or misspelt by up
     * to two edits ("postive", "Nuetral"). Empty when nothing is close enough.
     */
    public static Optional<Polarity> parse(String raw) {
        String t = Text.clean(raw);
        if (t.equals("-1")) return Optional.of(NEGATIVE);
        if (t.equals("+1") || t.equals("+")) return Optional.of(POSITIVE);
        String k = Text.key(t);
        if (k.isEmpty()) return Optional.empty();
        Polarity p = ALIASES.get(k);
        if (p != null) return Optional.of(p);
        Polarity best = null;
        int bestD = Integer.MAX_VALUE;
        boolean tie = false;
        for (Polarity c : values()) {
            String name = c.label.toLowerCase(java.util.Locale.ROOT);
            int d = Text.editDistance(k, name);
            if (d < bestD) {
                bestD = d;
                best = c;
                tie = false;
            } else if (d == bestD) {
                tie = true;
            }
        }
        return bestD <= 2 && !tie ? Optional.of(best) : Optional.empty();
    }
}

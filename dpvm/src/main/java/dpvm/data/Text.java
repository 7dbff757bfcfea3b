package dpvm.data;

import java.text.Normalizer;
import java.util.regex.Pattern;

/** Cleans cell text typed on any keyboard: full-width forms, dash variants, stray spaces. */
public final class Text {
    private static final Pattern SPACES = Pattern.compile("\\s+");
    /** Dash and tilde look-alikes NFKC leaves alone but people use as range separators. */
    private static final Pattern DASHES = Pattern.compile("[\\u2010-\\u2015\\u2212\\u301C\\u3030\\uFE58\\uFE63\\uFF5E\\u02DC]");

    private Text() {}

    /**
     * NFKC folds full-width ASCII (：～－ and full-width digits) and the ideographic space to plain
     * ASCII; dashes and wave dashes become '-' or '~'; whitespace runs (including no-break) become one
     * space; the ends are trimmed. Null becomes "".
     */
    public static String clean(String s) {
        if (s == null) return "";
        String t = Normalizer.normalize(s, Normalizer.Form.NFKC);
        t = t.replace('\u00A0', ' ').replace('\uFEFF', ' ');
        t = DASHES.matcher(t).replaceAll(m -> m.group().matches("[\\u301C\\u3030\\uFF5E\\u02DC]") ? "~" : "-");
        return SPACES.matcher(t).replaceAll(" ").trim();
    }

    /** Lower-case letters and digits only: for matching headers and labels whatever their punctuation. */
    public static String key(String s) {
        StringBuilder b = new StringBuilder();
        for (int cp : clean(s).toLowerCase(java.util.Locale.ROOT).codePoints().toArray()) {
            if (Character.isLetterOrDigit(cp)) b.appendCodePoint(cp);
        }
        return b.toString();
    }

    /** True when the text has letters outside ASCII (e.g. Chinese emotion words). */
    public static boolean nonAscii(String s) {
        return s.codePoints().anyMatch(cp -> cp > 127 && Character.isLetter(cp));
    }

    /** Levenshtein distance, for tolerating misspelt labels. */
    public static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

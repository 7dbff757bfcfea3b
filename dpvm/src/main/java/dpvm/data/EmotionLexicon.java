package dpvm.data;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Canonical English emotion words, with the polarity each implies and the spellings that map to them:
 * noun forms, common misspellings (by edit distance), and Chinese and a few European translations.
 * A word outside the lexicon is kept as typed; the lexicon only decides what can be merged.
 */
public final class EmotionLexicon {
    private static final Map<String, Polarity> WORDS = new HashMap<>();
    private static final Map<String, String> ALIASES = new HashMap<>();

    private static void word(String w, Polarity p, String... aliases) {
        WORDS.put(w, p);
        for (String a : aliases) ALIASES.put(a, w);
    }

    static {
        Polarity P = Polarity.POSITIVE, N = Polarity.NEGATIVE, O = Polarity.NEUTRAL;
        word("happy", P, "happiness", "joy", "joyful", "glad", "快乐", "开心", "高兴", "喜悦", "欢乐", "愉快", "feliz", "heureux", "heureuse", "glücklich", "allegro");
        word("excited", P, "exciting", "excitement", "激动", "兴奋", "emocionado", "excité");
        word("warm", P, "warmth", "heartwarming", "温暖", "温馨", "cálido", "chaleureux");
        word("romantic", P, "romance", "浪漫", "romántico", "romantique", "romantisch");
        word("touched", P, "touching", "moving", "moved", "感动", "conmovido", "ému");
        word("relaxed", P, "relaxing", "轻松", "放松", "relajado", "détendu", "entspannt");
        word("funny", P, "humorous", "humor", "humour", "comic", "搞笑", "幽默", "gracioso", "drôle", "lustig");
        word("sweet", P, "甜蜜", "dulce", "doux");
        word("hopeful", P, "hope", "希望", "esperanzado");
        word("passionate", P, "passion", "热血", "激情", "apasionado", "passionné");
        word("epic", P, "heroic", "史诗", "壮丽", "épico", "épique");
        word("sad", N, "sadness", "unhappy", "sorrow", "sorrowful", "悲伤", "伤心", "难过", "悲哀", "triste", "traurig");
        word("scared", N, "scary", "fear", "afraid", "frightened", "horror", "terrified", "恐惧", "害怕", "恐怖", "miedo", "peur", "effrayé", "ängstlich");
        word("angry", N, "anger", "rage", "furious", "愤怒", "生气", "enojado", "enfadado", "colère", "wütend");
        word("tense", N, "tension", "suspense", "suspenseful", "紧张", "悬疑", "tenso", "tendu", "angespannt");
        word("anxious", N, "anxiety", "worried", "angst", "焦虑", "担忧", "ansioso", "anxieux");
        word("lonely", N, "loneliness", "alone", "孤独", "寂寞", "solo", "seul", "einsam");
        word("desperate", N, "despair", "hopeless", "绝望", "desesperado", "désespéré", "verzweifelt");
        word("depressed", N, "depressing", "gloomy", "oppressive", "压抑", "沮丧", "deprimido", "déprimé");
        word("melancholy", N, "melancholic", "wistful", "忧郁", "忧伤", "melancólico", "mélancolique");
        word("disgusted", N, "disgust", "厌恶", "恶心", "asco", "dégoût");
        word("surprised", O, "surprise", "surprising", "astonished", "惊讶", "惊奇", "sorprendido", "surpris", "überrascht");
        word("calm", O, "calmness", "peaceful", "serene", "quiet", "平静", "安静", "宁静", "tranquilo", "calme", "ruhig");
        word("curious", O, "curiosity", "好奇", "curioso", "curieux", "neugierig");
        word("mysterious", O, "mystery", "神秘", "misterioso", "mystérieux", "geheimnisvoll");
        word("solemn", O, "serious", "庄严", "严肃", "solemne", "solennel");
        word("nostalgic", O, "nostalgia", "怀旧", "nostálgico", "nostalgique");
        word("shocked", O, "shock", "震撼", "震惊", "conmocionado", "choqué", "schockiert");
    }

    private EmotionLexicon() {}

    /** The canonical word for {@code raw}, if the lexicon knows it (exactly, as an alias, or one or two typos off). */
    public static Optional<String> canonical(String raw) {
        String w = Text.clean(raw).toLowerCase(Locale.ROOT);
        if (w.isEmpty()) return Optional.empty();
        if (WORDS.containsKey(w)) return Optional.of(w);
        String alias = ALIASES.get(w);
        if (alias != null) return Optional.of(alias);
        String squeezed = w.replaceAll("[\\s-]", "");
        if (ALIASES.containsKey(squeezed)) return Optional.of(ALIASES.get(squeezed));
        if (w.length() < 4 || Text.nonAscii(w)) return Optional.empty();
        int limit = w.length() >= 7 ? 2 : 1;
        String best = null;
        int bestD = limit + 1;
        for (String c : WORDS.keySet()) {
            int d = Text.editDistance(w, c);
            if (d < bestD || (d == bestD && best != null && c.compareTo(best) < 0)) {
                bestD = d;
                best = c;
            }
        }
        return bestD <= limit ? Optional.ofNullable(best) : Optional.empty();
    }

    /** The polarity a canonical word implies, if it is in the lexicon. */
    public static Optional<Polarity> polarityOf(String canonicalWord) {
        return Optional.ofNullable(WORDS.get(canonicalWord));
    }

    /** The polarity most of the words imply; empty when none is known or they tie. */
    public static Optional<Polarity> majority(List<String> words) {
        int[] votes = new int[3];
        for (String w : words) polarityOf(w).ifPresent(p -> votes[p.ordinal()]++);
        int best = -1;
        for (int i = 0; i < 3; i++) if (votes[i] > 0 && (best < 0 || votes[i] > votes[best])) best = i;
        if (best < 0) return Optional.empty();
        for (int i = 0; i < 3; i++) if (i != best && votes[i] == votes[best]) return Optional.empty();
        return Optional.of(Polarity.values()[best]);
    }

    /** Canonical words of the lexicon (for the synthetic generator and documentation). */
    public static Set<String> words() {
        return new LinkedHashSet<>(WORDS.keySet());
    }
}

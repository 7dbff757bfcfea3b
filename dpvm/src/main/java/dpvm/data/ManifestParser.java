package dpvm.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads an MVED-style manifest (.xlsx or .csv) into {@link ManifestRow}s. Every row is tried; a row
 * that cannot be used is reported with its number and reason and the rest carry on.
 */
public final class ManifestParser {
    private static final Pattern WORD_SEPARATORS = Pattern.compile("\\s*(?:[,;/、|&+]|\\band\\b|\\s{2,})\\s*");
    private static final Pattern MOVIE_PREFIX = Pattern.compile("^(?:no\\.?|#|movie|film)\\s*", Pattern.CASE_INSENSITIVE);
    private static final Pattern NUMERIC = Pattern.compile("0*(\\d+)(?:\\.0+)?");
    private static final int HEADER_SEARCH_ROWS = 10;

    private ManifestParser() {}

    /** Reads by extension: .xlsx through the spreadsheet reader, anything else as CSV. */
    public static Manifest read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        RawTable t = name.endsWith(".xlsx") ? XlsxTable.read(file) : CsvTable.read(file);
        return parse(t);
    }

    public static Manifest parse(RawTable t) {
        List<RowProblem> rejected = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int headerAt = findHeader(t);
        if (headerAt < 0) {
            rejected.add(new RowProblem(t.source(), 0, "no header row naming the manifest columns in the first "
                    + HEADER_SEARCH_ROWS + " rows (expected e.g. movie number, clip id, polarity, emotion, time range)"));
            return new Manifest(t.source(), List.of(), rejected, warnings, 0);
        }
        RawTable.Row header = t.rows().get(headerAt);
        Map<Column, Integer> col = mapColumns(header);
        List<String> missing = new ArrayList<>();
        boolean startEnd = !col.containsKey(Column.TIME_RANGE) && col.containsKey(Column.START_TIME) && col.containsKey(Column.END_TIME);
        if (!col.containsKey(Column.TIME_RANGE) && !startEnd) missing.add("'" + Column.TIME_RANGE.label() + "'");
        if (!col.containsKey(Column.MOVIE_NUMBER) && !col.containsKey(Column.MOVIE_TITLE)) missing.add("'movie number' or 'movie title'");
        if (!col.containsKey(Column.POLARITY) && !col.containsKey(Column.EMOTION)) missing.add("'polarity' or 'emotion'");
        if (!missing.isEmpty()) {
            rejected.add(new RowProblem(t.source(), header.number(), "missing column " + String.join(", ", missing)
                    + "; header has: " + String.join(" | ", header.cells())));
            return new Manifest(t.source(), List.of(), rejected, warnings, 0);
        }
        if (!col.containsKey(Column.CLIP_ID)) warnings.add("no 'clip id' column: ids are made from the movie and the row order");
        if (!col.containsKey(Column.EMOTION)) warnings.add("no 'emotion' column: rows have no emotion words");
        if (!col.containsKey(Column.POLARITY)) warnings.add("no 'polarity' column: polarity is taken from the emotion words");
        if (!col.containsKey(Column.MOVIE_NUMBER)) warnings.add("no 'movie number' column: movies are identified by title");

        List<ManifestRow> rows = new ArrayList<>();
        Map<String, Integer> idRows = new HashMap<>();
        Map<String, Integer> perMovie = new HashMap<>();
        int blank = 0;
        for (int i = headerAt + 1; i < t.rows().size(); i++) {
            RawTable.Row r = t.rows().get(i);
            if (r.blank()) {
                blank++;
                continue;
            }
            try {
                ManifestRow row = parseRow(r, col, perMovie);
                Integer first = idRows.putIfAbsent(row.clipId(), r.number());
                if (first != null) throw new IllegalArgumentException("duplicate clip id '" + row.clipId() + "' (first used in row " + first + ")");
                rows.add(row);
            } catch (IllegalArgumentException e) {
                rejected.add(new RowProblem(t.source(), r.number(), e.getMessage()));
            }
        }
        return new Manifest(t.source(), rows, rejected, warnings, blank);
    }

    private static int findHeader(RawTable t) {
        for (int i = 0; i < Math.min(HEADER_SEARCH_ROWS, t.rows().size()); i++) {
            if (mapColumns(t.rows().get(i)).size() >= 2) return i;
        }
        return -1;
    }

    private static Map<Column, Integer> mapColumns(RawTable.Row header) {
        Map<Column, Integer> m = new EnumMap<>(Column.class);
        for (int c = 0; c < header.cells().size(); c++) {
            for (Column k : Column.values()) {
                if (!m.containsKey(k) && k.matches(header.cell(c))) {
                    m.put(k, c);
                    break;
                }
            }
        }
        return m;
    }

    private static String get(RawTable.Row r, Map<Column, Integer> col, Column c) {
        Integer i = col.get(c);
        return i == null ? "" : Text.clean(r.cell(i));
    }

    private static ManifestRow parseRow(RawTable.Row r, Map<Column, Integer> col, Map<String, Integer> perMovie) {
        List<String> notes = new ArrayList<>();
        String title = get(r, col, Column.MOVIE_TITLE);
        String movie = movieKey(get(r, col, Column.MOVIE_NUMBER));
        if (movie.isEmpty()) {
            if (title.isEmpty()) throw new IllegalArgumentException("no movie number or title");
            movie = title;
            if (col.containsKey(Column.MOVIE_NUMBER)) notes.add("movie number empty: movie identified by title");
        }

        String rangeText = get(r, col, Column.TIME_RANGE);
        if (!col.containsKey(Column.TIME_RANGE)) {
            String a = get(r, col, Column.START_TIME), b = get(r, col, Column.END_TIME);
            rangeText = a.isEmpty() && b.isEmpty() ? "" : a + " - " + b;
        }
        TimeRange range = TimeRange.parse(rangeText);

        List<String> emotions = new ArrayList<>();
        String emotionText = get(r, col, Column.EMOTION);
        for (String word : emotionWords(emotionText)) {
            Optional<String> canon = EmotionLexicon.canonical(word);
            if (canon.isPresent() && !canon.get().equals(word)) notes.add("emotion '" + word + "' read as '" + canon.get() + "'");
            if (canon.isEmpty() && Text.nonAscii(word)) notes.add("emotion '" + word + "' kept untranslated");
            String finalWord = canon.orElse(word);
            if (!emotions.contains(finalWord)) emotions.add(finalWord);
        }

        String polarityText = get(r, col, Column.POLARITY);
        Polarity polarity;
        if (!polarityText.isEmpty()) {
            polarity = Polarity.parse(polarityText).orElseThrow(() -> new IllegalArgumentException(
                    "unknown polarity '" + polarityText + "' (expected Positive, Negative or Neutral)"));
            if (!polarityText.equals(polarity.label())) notes.add("polarity '" + polarityText + "' read as " + polarity.label());
        } else {
            polarity = EmotionLexicon.majority(emotions).orElseThrow(() -> new IllegalArgumentException(
                    emotions.isEmpty() ? "polarity is empty and there are no emotion words"
                            : "polarity is empty and the emotion words " + emotions + " do not imply one"));
            notes.add("polarity empty: " + polarity.label() + " from the emotion words");
        }

        int seq = perMovie.merge(movie, 1, Integer::sum);
        String clipId = safeId(get(r, col, Column.CLIP_ID));
        if (clipId.isEmpty()) {
            clipId = safeId(movie) + "_" + String.format("%02d", seq);
            if (col.containsKey(Column.CLIP_ID)) notes.add("clip id empty: made " + clipId);
        }
        return new ManifestRow(r.number(), movie, title, clipId, polarity, emotions, range, notes);
    }

    /** Splits on list punctuation; a space-separated phrase is split too when every part is a known word. */
    static List<String> emotionWords(String text) {
        List<String> out = new ArrayList<>();
        for (String w : WORD_SEPARATORS.split(text)) {
            String word = Text.clean(w).toLowerCase(Locale.ROOT);
            if (word.isEmpty()) continue;
            String[] parts = word.split(" ");
            boolean allKnown = parts.length > 1 && java.util.Arrays.stream(parts).allMatch(p -> EmotionLexicon.canonical(p).isPresent());
            if (allKnown && EmotionLexicon.canonical(word).isEmpty()) out.addAll(List.of(parts));
            else out.add(word);
        }
        return out;
    }

    /** "No. 007", "#7", "7.0" and "7" are the same movie. */
    static String movieKey(String raw) {
        String t = MOVIE_PREFIX.matcher(Text.clean(raw)).replaceFirst("");
        java.util.regex.Matcher m = NUMERIC.matcher(t);
        return m.matches() ? m.group(1) : t;
    }

    /** Clip ids become file names: keep letters, digits, '-', '_' and '.', turn the rest into '_'. */
    static String safeId(String raw) {
        StringBuilder b = new StringBuilder();
        Text.clean(raw).codePoints().forEach(cp -> {
            if (Character.isLetterOrDigit(cp) || cp == '-' || cp == '_' || cp == '.') b.appendCodePoint(cp);
            else b.append('_');
        });
        String s = b.toString();
        return s.replaceAll("^[._]+", "");
    }
}

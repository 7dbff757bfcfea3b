package dpvm.data;

import java.util.List;

/**
 * One usable manifest row after normalisation.
 *
 * @param sourceRow  the row number in the file it came from (header = row 1)
 * @param movie      movie number as text ("7", "M12"), or the title when the sheet has no numbers
 * @param clipId     unique, file-name safe
 * @param emotions   canonical English words where the lexicon knows them, otherwise as typed (lower case)
 * @param notes      what was changed to make the row usable ("polarity 'postive' read as Positive")
 */
public record ManifestRow(int sourceRow, String movie, String movieTitle, String clipId, Polarity polarity,
                          List<String> emotions, TimeRange range, List<String> notes) {
    public ManifestRow {
        emotions = List.copyOf(emotions);
        notes = List.copyOf(notes);
    }
}

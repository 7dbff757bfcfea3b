package dpvm.data;

import java.util.List;

/**
 * A sheet as read, every non-empty line including the header, each with its 1-based row number as the
 * user sees it in the spreadsheet or text editor, so messages can point at it.
 */
public record RawTable(String source, List<Row> rows) {
    public record Row(int number, List<String> cells) {
        public String cell(int column) {
            return column >= 0 && column < cells.size() && cells.get(column) != null ? cells.get(column) : "";
        }

        public boolean blank() {
            return cells.stream().allMatch(c -> c == null || Text.clean(c).isEmpty());
        }
    }
}

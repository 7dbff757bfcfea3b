package dpvm.data;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.CellType;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;

/**
 * The first sheet of an .xlsx as text. Numbers come back as typed ("7", not "7.0"); cells Excel turned
 * into times (typing "12:30" does that) come back as h:mm:ss, so a time range split over a
 * time-formatted cell still reads as a time.
 */
public final class XlsxTable {
    private XlsxTable() {}

    public static RawTable read(Path file) throws IOException {
        List<RawTable.Row> rows = new ArrayList<>();
        try (ReadableWorkbook wb = new ReadableWorkbook(file.toFile(), new ReadingOptions(true, false)); Stream<Row> stream = wb.getFirstSheet().openStream()) {
            stream.forEach(r -> {
                List<String> cells = new ArrayList<>();
                for (int i = 0; i < r.getCellCount(); i++) cells.add(text(r.getCell(i)));
                rows.add(new RawTable.Row(r.getRowNum(), cells));
            });
        }
        return new RawTable(file.toString(), rows);
    }

    static String text(Cell c) {
        if (c == null || c.getType() == CellType.EMPTY) return "";
        if (c.getType() == CellType.NUMBER) {
            BigDecimal v = c.asNumber();
            String fmt = c.getDataFormatString();
            if (fmt != null && isTimeFormat(fmt)) return clock(v.doubleValue(), fmt);
            return v.stripTrailingZeros().toPlainString();
        }
        String t = c.getText();
        return t == null ? "" : t;
    }

    private static boolean isTimeFormat(String fmt) {
        String f = fmt.toLowerCase(java.util.Locale.ROOT).replaceAll("\"[^\"]*\"", "");
        return f.contains("h") || f.contains("ss") || f.contains("[m");
    }

    /**
     * Excel stores times as fractions of a day. The text is what the cell shows, because that is what
     * the person typed: "12:30" becomes h:mm 12:30, which the range parser then reads as m:ss, the
     * usual meaning in a clip list. Whole days are a date part and dropped, except under [h] formats.
     */
    static String clock(double days, String fmt) {
        String f = fmt.toLowerCase(java.util.Locale.ROOT);
        double kept = f.contains("[h") ? days : days - Math.floor(days);
        long s = Math.round(kept * 86400);
        if (f.replaceAll("\\[h+\\]", "").contains("s")) return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        return String.format("%d:%02d", s / 3600, s / 60 % 60);
    }
}

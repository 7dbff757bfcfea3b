package dpvm.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes) with what spreadsheets add:
 * a UTF-8 byte-order mark, ';' or tab as the delimiter (guessed from the header line), and GB18030
 * when the bytes are not UTF-8 (Excel on a Chinese system saves CSV that way).
 */
public final class CsvTable {
    private CsvTable() {}

    public static RawTable read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text = decode(bytes);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1);
        char delimiter = guessDelimiter(text);
        List<List<String>> records = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        parse(text, delimiter, records, lineNumbers);
        List<RawTable.Row> rows = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) rows.add(new RawTable.Row(lineNumbers.get(i), records.get(i)));
        return new RawTable(file.toString(), rows);
    }

    private static String decode(byte[] bytes) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, Charset.forName("GB18030"));
        }
    }

    private static char guessDelimiter(String text) {
        int end = text.indexOf('\n');
        String first = end < 0 ? text : text.substring(0, end);
        int commas = count(first, ','), semis = count(first, ';'), tabs = count(first, '\t');
        if (tabs > commas && tabs >= semis) return '\t';
        if (semis > commas) return ';';
        return ',';
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) n++;
        return n;
    }

    /** Records with the line each starts on (1-based), so a quoted newline does not shift later numbers. */
    private static void parse(String s, char delim, List<List<String>> out, List<Integer> lines) {
        List<String> rec = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, any = false;
        int line = 1, recLine = 1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') line++;
                    field.append(c);
                }
                continue;
            }
            if (c == '"' && field.toString().isBlank()) {
                field.setLength(0);
                quoted = true;
                any = true;
            } else if (c == delim) {
                rec.add(field.toString());
                field.setLength(0);
                any = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
                rec.add(field.toString());
                out.add(rec);
                lines.add(recLine);
                rec = new ArrayList<>();
                field.setLength(0);
                any = false;
                line++;
                recLine = line;
            } else {
                field.append(c);
                any = true;
            }
        }
        if (any || field.length() > 0) {
            rec.add(field.toString());
            out.add(rec);
            lines.add(recLine);
        }
    }
}

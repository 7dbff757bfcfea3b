package dpvm.data;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A clip's [start, end) in seconds of its movie, parsed from how people write it: "1:02:03-1:02:18",
 * "62:03 ~ 62:18" (minutes above 59), "12:30 to 12:45", "00：12：30－00：12：45" (full width), "750-765",
 * "12m30s-12m45s", em/en dashes, "至"/"到". An end that drops the hour ("1:02:03-02:18") inherits it.
 */
public record TimeRange(double start, double end) {
    private static final Pattern SEPARATOR = Pattern.compile("\\s*(?:~|to|至|到|--?)\\s*");
    private static final Pattern HMS = Pattern.compile("(\\d+):(\\d{1,2}):(\\d{1,2}(?:\\.\\d+)?)");
    private static final Pattern MS = Pattern.compile("(\\d+):(\\d{1,2}(?:\\.\\d+)?)");
    private static final Pattern SECONDS = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:s|sec|secs|seconds|秒)?");
    private static final Pattern UNITS = Pattern.compile(
            "(?:(\\d+)\\s*(?:h|hr|小时|时))?\\s*(?:(\\d+)\\s*(?:m|min|mins|分钟|分))?\\s*(?:(\\d+(?:\\.\\d+)?)\\s*(?:s|sec|秒))?");
    /** Longer than this is almost surely a typo for a ~15 s MVED clip. */
    public static final double MAX_SECONDS = 600;

    public double duration() {
        return end - start;
    }

    /** Parses, or throws {@link IllegalArgumentException} with a reason a person can act on. */
    public static TimeRange parse(String raw) {
        String t = Text.clean(raw).toLowerCase(Locale.ROOT);
        if (t.isEmpty()) throw new IllegalArgumentException("time range is empty");
        String[] parts = SEPARATOR.split(t, -1);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new IllegalArgumentException("time range '" + raw.strip() + "' is not 'start-end'");
        }
        Stamp a = stamp(parts[0], raw), b = stamp(parts[1], raw);
        double end = b.seconds;
        if (end <= a.seconds && a.fields == 3 && b.fields == 2) end += a.hours * 3600;
        if (end <= a.seconds) {
            throw new IllegalArgumentException("time range '" + raw.strip() + "' ends before it starts");
        }
        if (end - a.seconds > MAX_SECONDS) {
            throw new IllegalArgumentException(String.format("time range '%s' is %.0f s long (over %.0f s)", raw.strip(), end - a.seconds, MAX_SECONDS));
        }
        return new TimeRange(a.seconds, end);
    }

    private record Stamp(double seconds, int fields, int hours) {}

    private static Stamp stamp(String s, String raw) {
        s = s.strip();
        Matcher m = HMS.matcher(s);
        if (m.matches()) {
            int h = Integer.parseInt(m.group(1)), min = Integer.parseInt(m.group(2));
            double sec = Double.parseDouble(m.group(3));
            if (min >= 60 || sec >= 60) throw new IllegalArgumentException("'" + s + "' in '" + raw.strip() + "' has minutes or seconds above 59");
            return new Stamp(h * 3600 + min * 60 + sec, 3, h);
        }
        m = MS.matcher(s);
        if (m.matches()) {
            double sec = Double.parseDouble(m.group(2));
            if (sec >= 60) throw new IllegalArgumentException("'" + s + "' in '" + raw.strip() + "' has seconds above 59");
            return new Stamp(Integer.parseInt(m.group(1)) * 60 + sec, 2, 0);
        }
        m = SECONDS.matcher(s);
        if (m.matches()) return new Stamp(Double.parseDouble(m.group(1)), 1, 0);
        m = UNITS.matcher(s);
        if (m.matches() && (m.group(1) != null || m.group(2) != null || m.group(3) != null)) {
            int h = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
            int min = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
            double sec = m.group(3) == null ? 0 : Double.parseDouble(m.group(3));
            return new Stamp(h * 3600 + min * 60 + sec, 1, h);
        }
        throw new IllegalArgumentException("'" + s + "' in '" + raw.strip() + "' is not a time (h:mm:ss, m:ss or seconds)");
    }

    /** h:mm:ss.mmm, the form written to normalised manifests. */
    public static String format(double seconds) {
        long ms = Math.round(seconds * 1000);
        long h = ms / 3_600_000, m = ms / 60_000 % 60, s = ms / 1000 % 60, f = ms % 1000;
        return f == 0 ? String.format("%d:%02d:%02d", h, m, s) : String.format("%d:%02d:%02d.%03d", h, m, s, f);
    }

    @Override
    public String toString() {
        return format(start) + "-" + format(end);
    }
}

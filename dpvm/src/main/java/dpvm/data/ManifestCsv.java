package dpvm.data;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/** Writes the normalised manifest and the video-music pairs as plain UTF-8 CSV. */
public final class ManifestCsv {
    /** Columns of the normalised manifest: the MVED schema plus what normalisation derived. */
    public static final String HEADER =
            "movie_number,movie_title,clip_id,polarity,emotion,time_range,start_s,end_s,duration_s,split,source_row";

    private ManifestCsv() {}

    public static void writeManifest(Path out, List<ManifestRow> rows, Map<String, Split.Side> sides) throws IOException {
        atomicWrite(out, w -> {
            w.write(HEADER + "\n");
            for (ManifestRow r : rows) {
                Split.Side s = sides == null ? null : sides.get(r.clipId());
                w.write(String.join(",", quote(r.movie()), quote(r.movieTitle()), quote(r.clipId()), r.polarity().label(),
                        quote(String.join("; ", r.emotions())), r.range().toString(), num(r.range().start()), num(r.range().end()),
                        num(r.range().duration()), s == null ? "" : s.name().toLowerCase(java.util.Locale.ROOT),
                        Integer.toString(r.sourceRow())));
                w.write("\n");
            }
        });
    }

    public static void writePairs(Path out, List<MusicPairing.Pair> pairs) throws IOException {
        atomicWrite(out, w -> {
            w.write("video_clip,music_clip,relation,split\n");
            for (MusicPairing.Pair p : pairs) {
                w.write(String.join(",", quote(p.videoClip()), quote(p.musicClip()), p.relation().name().toLowerCase(java.util.Locale.ROOT),
                        p.side() == null ? "" : p.side().name().toLowerCase(java.util.Locale.ROOT)));
                w.write("\n");
            }
        });
    }

    interface Body {
        void write(Writer w) throws IOException;
    }

    /** Write beside, then rename: an interrupted run never leaves half a manifest behind. */
    static void atomicWrite(Path out, Body body) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, out.getFileName().toString(), ".part");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            body.write(w);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String quote(String s) {
        if (s == null) return "";
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.startsWith(" ") || s.endsWith(" ")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    static String num(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.3f", v);
        return s.replaceAll("\\.?0+$", "");
    }
}

package dpvm.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds a manifest movie among the user's files. A file matches when its base name, compared by
 * {@link Text#key}, equals the movie number ("7.mkv", "007.mp4", "No.7.avi"), equals the title, or
 * contains the title ("The Long Road (1999) 1080p.mkv"). More than one match is an error, not a guess.
 */
public final class MovieFiles {
    static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "mkv", "avi", "mov", "m4v", "webm", "ts", "flv", "wmv", "mpg", "mpeg", "m2ts");

    private final List<Path> files;

    private MovieFiles(List<Path> files) {
        this.files = files;
    }

    /** Video files in {@code dir} and one level of subfolders. */
    public static MovieFiles scan(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("movies folder " + dir + " does not exist");
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir, 2)) {
            s.filter(Files::isRegularFile).filter(p -> VIDEO_EXTENSIONS.contains(extension(p))).sorted().forEach(found::add);
        }
        return new MovieFiles(found);
    }

    public int size() {
        return files.size();
    }

    /** The one file for this movie, or an exception saying why there is none. */
    public Path find(String movie, String title) {
        String num = ManifestParser.movieKey(movie);
        String numKey = Text.key(num);
        String titleKey = Text.key(title);
        List<Path> hits = new ArrayList<>();
        for (Path f : files) {
            String base = f.getFileName().toString();
            String key = Text.key(ManifestParser.movieKey(base.substring(0, base.length() - extension(f).length() - 1)));
            boolean byNumber = !numKey.isEmpty() && key.equals(numKey);
            boolean byTitle = titleKey.length() >= 3 && (key.equals(titleKey) || key.contains(titleKey));
            if (byNumber || byTitle) hits.add(f);
        }
        if (hits.size() == 1) return hits.get(0);
        String who = "movie " + movie + (title.isEmpty() || title.equals(movie) ? "" : " ('" + title + "')");
        if (hits.isEmpty()) throw new IllegalArgumentException("no video file for " + who);
        throw new IllegalArgumentException("several files could be " + who + ": " + hits);
    }

    static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}

package dpvm.data;

import dpvm.media.Batch;
import dpvm.media.BatchResult;
import dpvm.media.ClipCutter;
import dpvm.media.MediaException;
import dpvm.media.MediaProblem;
import dpvm.media.ProblemKind;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The MVED import: parse and normalise the manifest, split 7:3 by movie, pair each video with its
 * related music, and (when a movies folder is given) cut every clip and its music from the movies.
 *
 * <p>Output folder: {@code manifest.csv} (every usable row, normalised, with its split),
 * {@code pairs.csv}; with movies also {@code clips/<id>.mp4}, {@code music/<id>.wav},
 * {@code dataset.csv} and {@code dataset-pairs.csv} restricted to the clips that were cut, and
 * {@code problems.txt}. Cut files are written under temporary names and renamed when complete, and a
 * clip whose two files exist is not cut again, so a rerun after an interruption resumes.
 */
public final class MvedImport {
    private MvedImport() {}

    public record Options(Path manifest, Path movies, Path out, long seed, int threads, int maxShortSide) {}

    public record Result(Manifest manifest, Map<String, Split.Side> split, List<MusicPairing.Pair> pairs,
                         List<ManifestRow> cut, List<String> problems) {}

    public static Result run(Options o, PrintStream log) throws IOException {
        Manifest m = ManifestParser.read(o.manifest());
        Files.createDirectories(o.out());
        Map<String, Split.Side> split = Split.bySeed(m.rows(), o.seed());
        List<MusicPairing.Pair> pairs = MusicPairing.pair(m.rows(), split, o.seed());
        ManifestCsv.writeManifest(o.out().resolve("manifest.csv"), m.rows(), split);
        ManifestCsv.writePairs(o.out().resolve("pairs.csv"), pairs);
        List<String> problems = new ArrayList<>();
        for (RowProblem p : m.rejected()) problems.add(p.toString());
        if (o.movies() == null) {
            writeProblems(o.out(), problems);
            return new Result(m, split, pairs, List.of(), problems);
        }

        MovieFiles movies = MovieFiles.scan(o.movies());
        Path clips = Files.createDirectories(o.out().resolve("clips"));
        Path music = Files.createDirectories(o.out().resolve("music"));
        List<ManifestRow> todo = new ArrayList<>();
        List<ManifestRow> done = new ArrayList<>();
        for (ManifestRow r : m.rows()) {
            if (Files.exists(clips.resolve(r.clipId() + ".mp4")) && Files.exists(music.resolve(r.clipId() + ".wav"))) done.add(r);
            else todo.add(r);
        }
        if (!done.isEmpty()) log.println(done.size() + " clips already cut, skipped");
        AtomicInteger finished = new AtomicInteger();
        BatchResult<ManifestRow> cuts = Batch.run(todo, o.threads(), r -> cutOne(r, movies, clips, music, o.maxShortSide()),
                r -> Path.of("row " + r.sourceRow() + " clip " + r.clipId()), r -> List.of(),
                (r, res, w) -> log.printf("\rcut %d/%d", finished.incrementAndGet(), todo.size()), false);
        if (!todo.isEmpty()) log.println();
        for (MediaProblem p : cuts.problems()) problems.add(p.toString());

        List<ManifestRow> present = new ArrayList<>();
        for (ManifestRow r : m.rows()) {
            if (Files.exists(clips.resolve(r.clipId() + ".mp4")) && Files.exists(music.resolve(r.clipId() + ".wav"))) present.add(r);
        }
        // The split of the whole manifest is kept: a clip that failed must not move others across sides.
        List<MusicPairing.Pair> presentPairs = MusicPairing.pair(present, split, o.seed());
        ManifestCsv.writeManifest(o.out().resolve("dataset.csv"), present, split);
        ManifestCsv.writePairs(o.out().resolve("dataset-pairs.csv"), presentPairs);
        writeProblems(o.out(), problems);
        return new Result(m, split, presentPairs, present, problems);
    }

    private static ManifestRow cutOne(ManifestRow r, MovieFiles movies, Path clips, Path music, int maxShortSide) throws MediaException {
        Path movie;
        try {
            movie = movies.find(r.movie(), r.movieTitle());
        } catch (IllegalArgumentException e) {
            throw new MediaException(Path.of("row " + r.sourceRow() + " clip " + r.clipId()), ProblemKind.MISSING_FILE, e.getMessage());
        }
        try {
            ClipCutter.cut(movie, r.range().start(), r.range().end(), clips.resolve(r.clipId() + ".mp4"),
                    music.resolve(r.clipId() + ".wav"), maxShortSide);
        } catch (MediaException e) {
            MediaProblem p = e.problem();
            throw new MediaException(p.file(), p.kind(), "row " + r.sourceRow() + " clip " + r.clipId() + ": "
                    + (p.detail() == null ? p.kind().meaning() : p.detail()), e);
        }
        return r;
    }

    private static void writeProblems(Path out, List<String> problems) throws IOException {
        ManifestCsv.atomicWrite(out.resolve("problems.txt"), w -> {
            for (String p : problems) w.write(p + "\n");
        });
    }
}

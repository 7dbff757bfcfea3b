package dpvm.data.synth;

import dpvm.data.ManifestCsv;
import dpvm.data.ManifestParser;
import dpvm.data.MusicPairing;
import dpvm.data.Split;
import dpvm.media.Batch;
import dpvm.media.BatchResult;
import dpvm.media.MediaException;
import dpvm.media.Mp4Writer;
import dpvm.media.ProblemKind;
import dpvm.media.WavWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An MVED-like data set that needs no download: N video-music pairs as real H.264/AAC clips and WAV
 * music, with an MVED-schema manifest, deterministic in the seed. See docs/dpvm.md for the signals.
 *
 * <p>Output: {@code clips/<id>.mp4}, {@code music/<id>.wav}, {@code mved-manifest.csv} (the MVED
 * columns, as a person would have typed them), {@code dataset.csv} and {@code dataset-pairs.csv} (the
 * same normalised files the MVED import writes), and {@code truth.csv} (the hidden factors, for
 * diagnostics only).
 */
public final class SyntheticMved {
    /** Options; {@code noise} and {@code distractors} are 0..1 knobs. */
    public record Options(int pairs, long seed, double seconds, int width, int height, double fps,
                          double noise, double distractors, int threads) {
        public static Options defaults(int pairs, long seed) {
            return new Options(pairs, seed, 15, 320, 240, 24, 0.3, 0.2, Batch.defaultThreads());
        }

        public Options withSize(double seconds, int width, int height) {
            return new Options(pairs, seed, seconds, width, height, fps, noise, distractors, threads);
        }

        public Options withKnobs(double newNoise, double newDistractors) {
            return new Options(pairs, seed, seconds, width, height, fps, newNoise, newDistractors, threads);
        }
    }

    public static final int AUDIO_RATE = 22050;
    public static final int CLIPS_PER_MOVIE = 3;

    private static final String[] ADJECTIVES = {"Quiet", "Last", "Golden", "Broken", "Silent", "Distant", "Burning", "Hidden", "Winter", "Endless"};
    private static final String[] NOUNS = {"Harbour", "Road", "Garden", "Signal", "River", "Summer", "Lantern", "Station", "Mirror", "Horizon"};

    private SyntheticMved() {}

    /** The per-pair plans, without writing anything (cheap; used by tests and for the manifest). */
    public static List<PairPlan> plan(Options o) {
        Random movies = new Random(PairPlan.mix(o.seed(), -1));
        List<PairPlan> plans = new ArrayList<>();
        Scene movieScene = null;
        for (int i = 0; i < o.pairs(); i++) {
            int movie = i / CLIPS_PER_MOVIE + 1;
            if (i % CLIPS_PER_MOVIE == 0) movieScene = Scene.values()[movies.nextInt(Scene.values().length)];
            plans.add(PairPlan.draw(i, movie, i % CLIPS_PER_MOVIE + 1, movieScene, o.seed(), o.noise(), o.distractors()));
        }
        return plans;
    }

    public static BatchResult<PairPlan> generate(Options o, Path out, PrintStream progress) throws IOException {
        Path clips = Files.createDirectories(out.resolve("clips"));
        Path music = Files.createDirectories(out.resolve("music"));
        List<PairPlan> plans = plan(o);
        writeManifest(out.resolve("mved-manifest.csv"), plans, o);
        writeTruth(out.resolve("truth.csv"), plans);
        AtomicInteger done = new AtomicInteger();
        BatchResult<PairPlan> r = Batch.run(plans, o.threads(), p -> writePair(p, o, clips, music),
                p -> clips.resolve(p.clipId() + ".mp4"), p -> List.of(),
                (p, res, w) -> {
                    if (progress != null) progress.printf("\rsynth %d/%d pairs", done.incrementAndGet(), plans.size());
                }, false);
        if (progress != null) progress.println();

        // The normalised files come from the manifest through the same parser the import uses.
        // The split covers every planned pair (stable whatever fails); the lists name only written ones.
        var manifest = ManifestParser.read(out.resolve("mved-manifest.csv"));
        var split = Split.bySeed(manifest.rows(), o.seed());
        var written = manifest.rows().stream()
                .filter(row -> Files.exists(clips.resolve(row.clipId() + ".mp4")) && Files.exists(music.resolve(row.clipId() + ".wav")))
                .toList();
        ManifestCsv.writeManifest(out.resolve("dataset.csv"), written, split);
        ManifestCsv.writePairs(out.resolve("dataset-pairs.csv"), MusicPairing.pair(written, split, o.seed()));
        return r;
    }

    private static PairPlan writePair(PairPlan p, Options o, Path clips, Path music) throws MediaException {
        Path video = clips.resolve(p.clipId() + ".mp4"), wav = music.resolve(p.clipId() + ".wav");
        Path tmpVideo = clips.resolve(p.clipId() + ".mp4.part"), tmpWav = music.resolve(p.clipId() + ".wav.part");
        int frames = (int) Math.round(o.seconds() * o.fps());
        VideoPainter painter = new VideoPainter(p, o.width(), o.height(), o.fps(), o.noise());
        float[] ambience = Ambience.render(p, o.seconds(), AUDIO_RATE);
        byte[] rgb = new byte[3 * o.width() * o.height()];
        try {
            try (Mp4Writer w = new Mp4Writer(tmpVideo, o.width(), o.height(), o.fps(), AUDIO_RATE, 1_000_000, false)) {
                int written = 0;
                for (int n = 0; n < frames; n++) {
                    painter.paint(n, rgb);
                    w.writeFrame(rgb);
                    int upTo = (int) Math.min(ambience.length, Math.round((n + 1) / o.fps() * AUDIO_RATE));
                    if (upTo > written) w.writeAudio(java.util.Arrays.copyOfRange(ambience, written, upTo));
                    written = upTo;
                }
            }
            WavWriter.write(tmpWav, MusicComposer.compose(p, o.seconds(), AUDIO_RATE, o.noise()), AUDIO_RATE);
            Files.move(tmpVideo, video, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpWav, wav, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return p;
        } catch (IOException e) {
            throw new MediaException(video, ProblemKind.IO_ERROR, e.getMessage(), e);
        } catch (MediaException e) {
            throw new MediaException(video, e.problem().kind(), e.problem().detail(), e);
        }
    }

    static String title(int movie, long seed) {
        Random r = new Random(PairPlan.mix(seed, 1_000_000L + movie));
        return "The " + ADJECTIVES[r.nextInt(ADJECTIVES.length)] + " " + NOUNS[r.nextInt(NOUNS.length)];
    }

    private static void writeManifest(Path file, List<PairPlan> plans, Options o) throws IOException {
        write(file, w -> {
            w.write("Movie Number,Movie Title,Clip ID,Polarity,Emotional Description,Time Range\n");
            for (PairPlan p : plans) {
                Random r = new Random(PairPlan.mix(o.seed(), 2_000_000L + p.index()));
                double start = 60 + r.nextInt(100 * 60) + (p.index() % CLIPS_PER_MOVIE) * 600;
                String words = String.join(", ", p.emotions().stream().map(Emotion::word).toList());
                w.write(String.join(",", Integer.toString(p.movie()), title(p.movie(), o.seed()), p.clipId(), p.polarity().label(),
                        "\"" + words + "\"", dpvm.data.TimeRange.format(start) + "-" + dpvm.data.TimeRange.format(start + o.seconds())));
                w.write("\n");
            }
        });
    }

    private static void writeTruth(Path file, List<PairPlan> plans) throws IOException {
        write(file, w -> {
            w.write("clip_id,scene,timbre,emotion,valence_video,arousal_video,valence_music,arousal_music,detail,rising,video_distractor,music_distractor\n");
            for (PairPlan p : plans) {
                w.write(String.format(java.util.Locale.ROOT, "%s,%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%.3f,%b,%b,%b%n", p.clipId(),
                        p.scene().name().toLowerCase(java.util.Locale.ROOT), p.scene().timbre.name().toLowerCase(java.util.Locale.ROOT),
                        p.emotion().word(), p.videoValence(), p.videoArousal(), p.musicValence(), p.musicArousal(), p.detail(),
                        p.rising(), p.videoDistractor(), p.musicDistractor()));
            }
        });
    }

    private interface Body {
        void write(Writer w) throws IOException;
    }

    private static void write(Path file, Body body) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            body.write(w);
        }
    }
}

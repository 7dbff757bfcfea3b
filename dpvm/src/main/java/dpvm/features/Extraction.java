package dpvm.features;

import dpvm.data.CsvTable;
import dpvm.data.RawTable;
import dpvm.media.AudioDecoder;
import dpvm.media.Batch;
import dpvm.media.BatchResult;
import dpvm.media.DecodeOptions;
import dpvm.media.DecodedClip;
import dpvm.media.FrameView;
import dpvm.media.KeyFrameSelector;
import dpvm.media.MediaException;
import dpvm.media.MediaProblem;
import dpvm.media.Normalization;
import dpvm.media.ProblemKind;
import dpvm.media.VideoDecoder;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the backbones over a data set folder ({@code dataset.csv} with {@code clips/<id>.mp4} and
 * {@code music/<id>.wav}, as {@code dpvm synth} and {@code dpvm import --movies} write it) and caches each item's
 * features. Items whose features are already cached are skipped, so an interrupted run resumes where it stopped;
 * a broken file is reported and skipped without stopping the rest.
 */
public final class Extraction {
    /** What to extract and where. {@code weights} may be null (seeded, untrained backbones). */
    public record Options(Path data, Path out, Backbones.Preset preset, Path weights, long seed, int threads, Normalization videoNorm) {}

    /** Told about each finished item, for a progress bar. */
    public interface Progress {
        void start(int total, int alreadyDone);

        void done(String id, boolean ok);
    }

    public record Summary(int total, int extracted, int reused, List<MediaProblem> skipped) {
        public String describe() {
            StringBuilder sb = new StringBuilder(String.format("%d items: %d extracted, %d already cached, %d skipped", total, extracted, reused, skipped.size()));
            for (MediaProblem p : skipped) sb.append("\n  skipped ").append(p);
            return sb.toString();
        }
    }

    private record Decoded(String id, DecodedClip clip, float[] audio16k, float[] audio22k) {}

    private Extraction() {}

    /** Clip ids listed in the data set's {@code dataset.csv}, in file order. */
    public static List<String> clipIds(Path data) {
        Path csv = data.resolve("dataset.csv");
        try {
            RawTable t = CsvTable.read(csv);
            if (t.rows().isEmpty()) throw new IllegalArgumentException(csv + ": empty file, expected a header with clip_id");
            int col = t.rows().get(0).cells().indexOf("clip_id");
            if (col < 0) throw new IllegalArgumentException(csv + ": no clip_id column in header " + t.rows().get(0).cells());
            List<String> ids = new ArrayList<>();
            for (RawTable.Row r : t.rows().subList(1, t.rows().size())) if (!r.blank()) ids.add(r.cell(col).trim());
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv + " (is " + data + " a data set folder from 'dpvm synth' or 'dpvm import --movies'?)", e);
        }
    }

    public static Summary run(Options o, Progress progress, PrintStream log) {
        List<String> ids = clipIds(o.data());
        FeatureCache cache = new FeatureCache(o.out());
        List<String> todo = new ArrayList<>();
        for (String id : ids) if (!cache.has(FeatureCache.Kind.VIDEO, id) || !cache.has(FeatureCache.Kind.MUSIC, id)) todo.add(id);
        int reused = ids.size() - todo.size();
        progress.start(ids.size(), reused);
        Backbones nets = Backbones.create(o.preset(), new Rng(o.seed()));
        if (o.weights() != null) nets.loadWeights(o.weights(), log);
        FeatureExtractor fx = new FeatureExtractor(nets, o.videoNorm(), KeyFrameSelector.standard());
        Map<String, String> meta = Map.of("preset", o.preset().name(), "weights", String.valueOf(o.weights()), "seed", Long.toString(o.seed()));
        DecodeOptions decode = DecodeOptions.defaults().views(List.of(FrameView.RESNET3D, FrameView.VIVIT)).audioRates(List.of());
        List<MediaProblem> skipped = new ArrayList<>();
        int[] extracted = {0};
        // a few items in flight at a time: decoded clips are large, and the backbones are the slow part
        int window = Math.max(2, 2 * o.threads());
        for (int from = 0; from < todo.size(); from += window) {
            List<String> chunk = todo.subList(from, Math.min(todo.size(), from + window));
            BatchResult<Decoded> r = Batch.run(chunk, o.threads(), id -> decode(o.data(), id, decode), id -> o.data().resolve("clips").resolve(id + ".mp4"),
                    d -> d.clip().warnings(), (id, d, warnings) -> {
                        MediaProblem p = extractOne(fx, cache, d, meta);
                        if (p == null) extracted[0]++;
                        else skipped.add(p);
                        progress.done(id, p == null);
                    }, false);
            for (MediaProblem p : r.failures()) {
                skipped.add(p);
                progress.done(p.file().getFileName().toString(), false);
            }
        }
        return new Summary(ids.size(), extracted[0], reused, skipped);
    }

    private static Decoded decode(Path data, String id, DecodeOptions o) throws MediaException {
        DecodedClip clip = VideoDecoder.decode(data.resolve("clips").resolve(id + ".mp4"), o);
        Path music = data.resolve("music").resolve(id + ".wav");
        return new Decoded(id, clip, AudioDecoder.read(music, 16000), AudioDecoder.read(music, 22050));
    }

    /** Computes and caches one item's features; a failure is returned as a problem, never thrown. */
    private static MediaProblem extractOne(FeatureExtractor fx, FeatureCache cache, Decoded d, Map<String, String> meta) {
        try {
            Map<String, Tensor> video = fx.video(d.clip());
            Map<String, Tensor> music = fx.music(d.audio16k(), d.audio22k(), d.id());
            cache.write(FeatureCache.Kind.MUSIC, d.id(), music, meta);
            cache.write(FeatureCache.Kind.VIDEO, d.id(), video, meta);
            return null;
        } catch (RuntimeException e) {
            return new MediaProblem(d.clip().source(), ProblemKind.INTERNAL, e.getMessage() == null ? e.toString() : e.getMessage(), true);
        }
    }
}

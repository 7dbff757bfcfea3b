package dpvm.features;

import dpvm.data.synth.SyntheticMved;
import dpvm.media.MediaProblem;
import dpvm.media.Normalization;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cached extraction over a generated data set: shapes, determinism, resume, and a broken clip skipped. */
class ExtractionTest {
    @TempDir
    static Path dir;
    static Path data;

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @BeforeAll
    static void makeData() throws IOException {
        data = dir.resolve("data");
        SyntheticMved.generate(new SyntheticMved.Options(3, 5, 2.0, 160, 120, 24, 0.3, 0.2, 2), data, QUIET);
    }

    private static final class Recorder implements Extraction.Progress {
        int total, already;
        final List<String> done = new ArrayList<>();

        @Override
        public void start(int total, int alreadyDone) {
            this.total = total;
            this.already = alreadyDone;
        }

        @Override
        public void done(String id, boolean ok) {
            done.add(id + (ok ? "" : " failed"));
        }
    }

    private static Extraction.Summary run(Path out, Recorder r) {
        return Extraction.run(new Extraction.Options(data, out, Backbones.Preset.SMALL, null, 7, 2, Normalization.RESNET3D_ACTIVITYNET), r, QUIET);
    }

    @Test
    void extractsResumesAndSkipsBrokenClips() throws IOException {
        List<String> ids = Extraction.clipIds(data);
        assertEquals(3, ids.size());
        Path out = dir.resolve("features");
        Recorder first = new Recorder();
        Extraction.Summary s = run(out, first);
        assertEquals(3, s.extracted(), s.describe());
        assertEquals(3, first.done.size());
        FeatureCache cache = new FeatureCache(out);
        Backbones small = Backbones.create(Backbones.Preset.SMALL, new dpvm.tensor.Rng(1));
        for (String id : ids) {
            Map<String, Tensor> v = cache.read(FeatureCache.Kind.VIDEO, id), m = cache.read(FeatureCache.Kind.MUSIC, id);
            assertArrayEquals(new int[] {small.videoContent().featureDim()}, v.get(FeatureExtractor.CONTENT).shape());
            assertArrayEquals(new int[] {64}, v.get(FeatureExtractor.EMOTION).shape());
            assertArrayEquals(new int[] {128}, m.get(FeatureExtractor.CONTENT).shape());
            assertArrayEquals(new int[] {small.musicEmotion().featureDim()}, m.get(FeatureExtractor.EMOTION).shape());
            for (double x : v.get(FeatureExtractor.CONTENT).toDoubleArray()) assertTrue(Double.isFinite(x));
        }
        float[] before = cache.read(FeatureCache.Kind.VIDEO, ids.get(0)).get(FeatureExtractor.EMOTION).toFloatArray();

        // a rerun finds everything cached and does no work
        Recorder second = new Recorder();
        Extraction.Summary again = run(out, second);
        assertEquals(0, again.extracted());
        assertEquals(3, again.reused());
        assertEquals(3, second.already);

        // a corrupted clip whose features were lost is reported and skipped; the others are untouched
        String broken = ids.get(1);
        Files.write(data.resolve("clips").resolve(broken + ".mp4"), new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
        Files.delete(cache.file(FeatureCache.Kind.VIDEO, broken));
        Files.delete(cache.file(FeatureCache.Kind.VIDEO, ids.get(2)));
        Extraction.Summary third = run(out, new Recorder());
        assertEquals(1, third.extracted(), third.describe());
        assertEquals(1, third.skipped().size());
        MediaProblem p = third.skipped().get(0);
        assertTrue(p.file().toString().contains(broken), p.toString());
        assertTrue(cache.has(FeatureCache.Kind.VIDEO, ids.get(2)));
        // same seed, same weights, same features
        assertArrayEquals(before, cache.read(FeatureCache.Kind.VIDEO, ids.get(0)).get(FeatureExtractor.EMOTION).toFloatArray());
    }

    @Test
    void aFolderWithoutDatasetCsvIsNamedInTheError() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class, () -> Extraction.clipIds(dir.resolve("nothing")));
        assertTrue(e.getMessage().contains("dataset.csv"), e.getMessage());
    }
}

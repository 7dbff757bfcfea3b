package dpvm.features;

import dpvm.data.MvedImport;
import dpvm.media.Normalization;
import dpvm.media.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real movie files and an MVED-schema manifest go through import (clip cutting) and cached extraction. */
class ImportToFeaturesTest {
    @TempDir
    Path dir;

    @Test
    void moviesAndAManifestBecomeCachedFeatures() throws Exception {
        Path movies = Files.createDirectories(dir.resolve("movies"));
        TestClips.counterClip(movies.resolve("3.mp4"), 160, 120, 24, 24 * 12, 22050, false);
        Path manifest = dir.resolve("mved.csv");
        Files.writeString(manifest, String.join("\n",
                "Movie No.,Movie Title,Clip ID,Polarity,Emotion,Time Range",
                "3,Night Train,3_1,Negative,sad,0:01-0:04",
                "3,Night Train,3_2,Positive,happy,0:06～0:09") + "\n");
        Path imported = dir.resolve("imported");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        MvedImport.Result r = MvedImport.run(new MvedImport.Options(manifest, movies, imported, 1, 2, 0), quiet);
        assertEquals(2, r.cut().size(), String.join("\n", r.problems()));

        Path features = dir.resolve("features");
        Extraction.Summary s = Extraction.run(new Extraction.Options(imported, features, Backbones.Preset.SMALL, null, 3, 2,
                Normalization.RESNET3D_ACTIVITYNET), new Extraction.Progress() {
            @Override
            public void start(int total, int alreadyDone) {}

            @Override
            public void done(String id, boolean ok) {}
        }, quiet);
        assertEquals(2, s.extracted(), s.describe());
        FeatureCache cache = new FeatureCache(features);
        for (String id : new String[] {"3_1", "3_2"}) {
            assertTrue(cache.has(FeatureCache.Kind.VIDEO, id) && cache.has(FeatureCache.Kind.MUSIC, id), id);
            assertEquals(128, cache.read(FeatureCache.Kind.MUSIC, id).get(FeatureExtractor.CONTENT).numel());
        }
    }
}

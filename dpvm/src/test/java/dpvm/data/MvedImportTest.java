package dpvm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dpvm.media.AudioDecoder;
import dpvm.media.DecodeOptions;
import dpvm.media.DecodedClip;
import dpvm.media.FrameView;
import dpvm.media.TestClips;
import dpvm.media.VideoDecoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvedImportTest {
    @TempDir
    Path dir;

    @Test
    void cutsClipsFromMoviesAndReportsWhatItCannotCut() throws Exception {
        Path movies = Files.createDirectories(dir.resolve("movies"));
        TestClips.counterClip(movies.resolve("007.mp4"), 160, 120, 24, 24 * 16, 22050, false);
        TestClips.counterClip(movies.resolve("Silent Film.mp4"), 160, 120, 24, 24 * 4, 0, false);
        Path manifest = dir.resolve("m.csv");
        Files.writeString(manifest, String.join("\n",
                "Movie No.,Movie Title,Clip ID,Polarity,Emotion,Time Range",
                "7,Quiet Harbour,7_a,Positive,happy,0:02-0:05",
                "7,Quiet Harbour,7_b,Positive,happy,0:10.5-0:13.5",
                "7,Quiet Harbour,7_c,Negative,sad,0:14-0:19",
                "9,Missing Movie,9_a,Negative,sad,0:01-0:04",
                "10,Silent Film,10_a,Neutral,calm,0:01-0:03",
                "11,Broken,11_a,Neutral,calm,soon") + "\n");
        Path out = dir.resolve("out");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        MvedImport.Result r = MvedImport.run(new MvedImport.Options(manifest, movies, out, 1, 2, 0), new PrintStream(log, true));

        assertEquals(List.of("7_a", "7_b"), r.cut().stream().map(ManifestRow::clipId).toList(), String.join("\n", r.problems()));
        assertEquals(4, r.problems().size(), String.join("\n", r.problems()));
        String all = String.join("\n", r.problems());
        assertTrue(all.contains("row 7") && all.contains("time"), all);
        assertTrue(all.contains("clip 7_c") && all.contains("inside the clip"), all);
        assertTrue(all.contains("clip 9_a") && all.contains("no video file for movie 9"), all);
        assertTrue(all.contains("clip 10_a") && all.contains("no audio"), all);
        assertTrue(Files.readString(out.resolve("problems.txt")).contains("9_a"));

        DecodedClip a = VideoDecoder.decode(out.resolve("clips/7_a.mp4"), DecodeOptions.defaults());
        assertEquals(18, a.frameCount(), "3 s at 6 fps");
        assertEquals(TestClips.counterLevel(48), a.frames(FrameView.RESNET3D).get(0).mean(), 3, "first frame is the one at 2.0 s");
        DecodedClip b = VideoDecoder.decode(out.resolve("clips/7_b.mp4"), DecodeOptions.defaults());
        assertEquals(TestClips.counterLevel(252), b.frames(FrameView.RESNET3D).get(0).mean(), 3, "after a seek: frame at 10.5 s");
        assertEquals(3 * 22050, AudioDecoder.read(out.resolve("music/7_b.wav"), 22050).length, 2);
        assertFalse(Files.exists(out.resolve("clips/7_c.mp4")), "no half-written clip");
        assertFalse(Files.exists(out.resolve("clips/7_c.mp4.part")));

        String dataset = Files.readString(out.resolve("dataset.csv"));
        assertTrue(dataset.startsWith(ManifestCsv.HEADER));
        assertEquals(3, dataset.split("\n").length, dataset);

        // A rerun resumes: nothing is cut twice.
        ByteArrayOutputStream log2 = new ByteArrayOutputStream();
        MvedImport.run(new MvedImport.Options(manifest, movies, out, 1, 2, 0), new PrintStream(log2, true));
        assertTrue(log2.toString().contains("2 clips already cut"), log2.toString());
    }

    @Test
    void validationOnlyWritesTheNormalisedManifest() throws Exception {
        Path manifest = dir.resolve("m.csv");
        Files.writeString(manifest, "movie,clip,label,emotion,time\nA,a1,Positive,happy,1:00-1:15\nB,b1,NEGATIVE,sad,2:00-2:15\nB,b2,x,sad,2:00-2:15\n");
        MvedImport.Result r = MvedImport.run(new MvedImport.Options(manifest, null, dir.resolve("v"), 3, 1, 0), System.out);
        assertEquals(2, r.manifest().rows().size());
        List<String> lines = Files.readAllLines(dir.resolve("v/manifest.csv"));
        assertEquals(3, lines.size());
        assertTrue(lines.get(2).contains(",Negative,sad,0:02:00-0:02:15,120,135,15,"), lines.get(2));
        assertTrue(Files.readString(dir.resolve("v/problems.txt")).contains("row 4"));
    }
}

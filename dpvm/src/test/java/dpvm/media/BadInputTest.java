package dpvm.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadInputTest {
    @TempDir
    static Path dir;
    static Path good;
    static Path silent;
    static Path corrupt;
    static Path empty;
    static Path truncatedIndex;
    static Path truncatedStream;
    static Path unsupported;

    @BeforeAll
    static void makeFiles() throws Exception {
        good = TestClips.counterClip(dir.resolve("good.mp4"), 160, 120, 24, 60, 16000, false);
        silent = TestClips.counterClip(dir.resolve("silent.mp4"), 160, 120, 24, 60, 0, false);

        corrupt = dir.resolve("corrupt.mp4");
        byte[] noise = new byte[50_000];
        new Random(1).nextBytes(noise);
        Files.write(corrupt, noise);

        empty = Files.createFile(dir.resolve("empty.mp4"));

        // Index at the end (the recorder's default): cutting the file loses the index.
        byte[] whole = Files.readAllBytes(good);
        truncatedIndex = dir.resolve("truncated-index.mp4");
        Files.write(truncatedIndex, Arrays.copyOf(whole, whole.length / 2));

        // Index first: cutting the file leaves a playable beginning that stops early.
        Path fast = TestClips.counterClip(dir.resolve("fast.mp4"), 160, 120, 24, 96, 0, true);
        byte[] fastBytes = Files.readAllBytes(fast);
        truncatedStream = dir.resolve("truncated-stream.mp4");
        Files.write(truncatedStream, Arrays.copyOf(fastBytes, fastBytes.length * 2 / 5));

        // A sample entry no decoder knows: the demuxer finds a video stream with an unknown codec.
        unsupported = dir.resolve("unsupported.mp4");
        Files.write(unsupported, replaceAfter(whole, "stsd", "avc1", "zzz9"));
    }

    /** The sample entry's fourcc, not the "avc1" brand of the file-type box. */
    static byte[] replaceAfter(byte[] data, String anchor, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII), t = to.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = indexOf(data, anchor.getBytes(StandardCharsets.US_ASCII), 0); i + f.length <= data.length; i++) {
            for (int j = 0; j < f.length; j++) if (data[i + j] != f[j]) continue outer;
            byte[] out = data.clone();
            System.arraycopy(t, 0, out, i, t.length);
            return out;
        }
        throw new IllegalStateException(from + " not found");
    }

    static int indexOf(byte[] data, byte[] f, int from) {
        outer:
        for (int i = from; i + f.length <= data.length; i++) {
            for (int j = 0; j < f.length; j++) if (data[i + j] != f[j]) continue outer;
            return i;
        }
        throw new IllegalStateException("anchor not found");
    }

    private static MediaProblem failure(Path file, DecodeOptions o) {
        MediaException e = assertThrows(MediaException.class, () -> VideoDecoder.decode(file, o));
        assertTrue(e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
        return e.problem();
    }

    @Test
    void corruptFile() {
        assertEquals(ProblemKind.CORRUPT, failure(corrupt, DecodeOptions.defaults()).kind());
    }

    @Test
    void emptyFile() {
        assertEquals(ProblemKind.EMPTY_FILE, failure(empty, DecodeOptions.defaults()).kind());
    }

    @Test
    void missingFile() {
        assertEquals(ProblemKind.MISSING_FILE, failure(dir.resolve("nope.mp4"), DecodeOptions.defaults()).kind());
    }

    @Test
    void truncatedBeforeTheIndex() {
        MediaProblem p = failure(truncatedIndex, DecodeOptions.defaults());
        assertEquals(ProblemKind.CORRUPT, p.kind());
        assertTrue(p.toString().contains("truncated"), p.toString());
    }

    @Test
    void truncatedStreamStopsEarly() {
        assertEquals(ProblemKind.TRUNCATED, failure(truncatedStream, DecodeOptions.defaults()).kind());
    }

    @Test
    void unsupportedCodec() {
        MediaProblem p = failure(unsupported, DecodeOptions.defaults());
        assertEquals(ProblemKind.UNSUPPORTED_CODEC, p.kind(), p.toString());
    }

    @Test
    void clipShorterThanTheWindow() {
        MediaProblem p = failure(good, DecodeOptions.defaults().window(0, 3));
        assertEquals(ProblemKind.SHORT_CLIP, p.kind());
        assertTrue(p.detail().contains("15 of 18"), p.detail());
    }

    @Test
    void videoWithoutAudioIsAWarningUnlessAudioIsRequired() throws Exception {
        DecodedClip c = VideoDecoder.decode(silent, DecodeOptions.defaults());
        assertEquals(15, c.frameCount());
        assertFalse(c.hasAudio());
        assertEquals(0, c.audio16k().length);
        assertEquals(ProblemKind.NO_AUDIO, c.warnings().get(0).kind());
        assertFalse(c.warnings().get(0).fatal());
        assertEquals(ProblemKind.NO_AUDIO, failure(silent, DecodeOptions.defaults().requireAudio(true)).kind());
    }

    @Test
    void aBatchGoesOnPastBadFilesAndKeepsTheGoodOnes() {
        List<Path> files = List.of(good, corrupt, empty, silent, truncatedIndex, unsupported, good);
        BatchResult<DecodedClip> r = Batch.decodeAll(files, DecodeOptions.defaults(), 2);
        assertEquals(3, r.succeeded());
        assertEquals(4, r.failed());
        assertNotNull(r.results().get(0));
        assertNull(r.results().get(1));
        assertNotNull(r.results().get(3));
        assertNotNull(r.results().get(6));
        assertEquals(15, r.results().get(6).frameCount());
        String summary = r.summary();
        for (Path bad : List.of(corrupt, empty, truncatedIndex, unsupported, silent)) {
            assertTrue(summary.contains(bad.toString()), "summary lists " + bad + ":\n" + summary);
        }
        assertEquals(4, r.failures().size());
    }
}

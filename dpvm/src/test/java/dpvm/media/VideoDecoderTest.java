package dpvm.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoDecoderTest {
    @TempDir
    static Path dir;
    static Path clip24;
    static Path clip30;

    @BeforeAll
    static void makeClips() throws Exception {
        clip24 = TestClips.counterClip(dir.resolve("c24.mp4"), 160, 120, 24, 60, 22050, false);
        clip30 = TestClips.counterClip(dir.resolve("c30.mp4"), 160, 120, 30, 60, 0, false);
    }

    private static int counterOf(RgbImage img) {
        return (int) Math.round(img.mean() / 4);
    }

    @Test
    void sixPerSecondWithTheRightFramesAndTimes() throws Exception {
        DecodedClip c = VideoDecoder.decode(clip24, DecodeOptions.defaults().window(0, 2));
        assertEquals(12, c.frameCount(), "2 s at 6 fps");
        List<RgbImage> f = c.frames(FrameView.RESNET3D);
        for (int k = 0; k < 12; k++) {
            assertEquals(4 * k, counterOf(f.get(k)), "sample " + k + " is frame 4k of a 24 fps clip");
            assertEquals(k / 6.0, c.frameTimes()[k], 1e-3);
        }
        assertEquals(2.0, c.duration(), 1e-9);
        assertEquals(24.0, c.sourceFps(), 1e-6);
    }

    @Test
    void windowNotStartingAtZero() throws Exception {
        DecodedClip c = VideoDecoder.decode(clip30, DecodeOptions.defaults().window(0.5, 1.5).audioRates(List.of()));
        assertEquals(6, c.frameCount());
        List<RgbImage> f = c.frames(FrameView.VIVIT);
        for (int k = 0; k < 6; k++) assertEquals(15 + 5 * k, counterOf(f.get(k)), "30 fps: frame 15 + 5k");
    }

    @Test
    void windowDeepInAFileSeeksFirstAndStillPicksTheRightFrames() throws Exception {
        Path longClip = TestClips.counterClip(dir.resolve("long.mp4"), 160, 120, 24, 24 * 10, 16000, false);
        DecodedClip c = VideoDecoder.decode(longClip, DecodeOptions.defaults().window(7.5, 8.5).audioRates(List.of(16000, 22050)));
        assertEquals(6, c.frameCount());
        List<RgbImage> f = c.frames(FrameView.RESNET3D);
        for (int k = 0; k < 6; k++) {
            assertEquals(TestClips.counterLevel(180 + 4 * k) / 4, counterOf(f.get(k)), "frame 180 + 4k, counter wraps at 64");
            assertEquals(7.5 + k / 6.0, c.frameTimes()[k], 1e-3);
        }
        assertEquals(16000, c.audio16k().length, 1);
        assertEquals(22050, c.audio22k().length, 1);
        assertTrue(rms(c.audio22k()) > 0.15, "audio of the window, not silence");
    }

    @Test
    void wholeClipAndBothAudioRates() throws Exception {
        DecodedClip c = VideoDecoder.decode(clip24, DecodeOptions.defaults());
        assertEquals(15, c.frameCount(), "60 frames at 24 fps = 2.5 s -> 15 samples");
        assertEquals(2.5 * 16000, c.audio16k().length, 1);
        assertEquals(2.5 * 22050, c.audio22k().length, 1);
        assertTrue(rms(c.audio16k()) > 0.15, "the 440 Hz tone survives AAC and resampling");
        assertTrue(rms(c.audio22k()) > 0.15);
        assertEquals(112, c.frames(FrameView.RESNET3D).get(0).width());
        assertEquals(224, c.frames(FrameView.VIVIT).get(0).height());
        assertEquals(zeroCrossings(c.audio16k()) / 2.5 / 2, 440, 15, "pitch of the track");
    }

    @Test
    void decodingIsRepeatable() throws Exception {
        DecodedClip a = VideoDecoder.decode(clip24, DecodeOptions.defaults());
        DecodedClip b = VideoDecoder.decode(clip24, DecodeOptions.defaults());
        assertArrayEquals(a.frames(FrameView.RESNET3D).get(7).planes(), b.frames(FrameView.RESNET3D).get(7).planes());
        assertArrayEquals(a.audio22k(), b.audio22k());
    }

    static double rms(float[] a) {
        double s = 0;
        for (float v : a) s += v * v;
        return Math.sqrt(s / Math.max(1, a.length));
    }

    static int zeroCrossings(float[] a) {
        int n = 0;
        for (int i = 1; i < a.length; i++) if ((a[i - 1] < 0) != (a[i] < 0)) n++;
        return n;
    }
}

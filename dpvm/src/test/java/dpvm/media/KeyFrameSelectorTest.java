package dpvm.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyFrameSelectorTest {
    /** 90 frames (15 s at 6 fps) of noise-free grey, with colourful, changing frames at known places. */
    static List<RgbImage> clipWithEvents(int n, int[] eventFrames, long seed) {
        Random r = new Random(seed);
        List<RgbImage> frames = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            RgbImage f = RgbImage.blank(32, 32);
            Arrays.fill(f.planes(), 100 + r.nextInt(3));
            frames.add(f);
        }
        for (int e : eventFrames) {
            RgbImage f = frames.get(e);
            for (int i = 0; i < 32 * 32; i++) {
                f.planes()[i] = (i % 7) * 36;
                f.planes()[32 * 32 + i] = 20;
                f.planes()[2 * 32 * 32 + i] = 255 - (i % 5) * 50;
            }
        }
        return frames;
    }

    @Test
    void alwaysSixteenAscendingAndRepeatable() {
        List<RgbImage> frames = clipWithEvents(90, new int[] {10, 40, 70}, 7);
        KeyFrameSelector s = KeyFrameSelector.standard();
        int[] a = s.select(frames);
        int[] b = s.select(clipWithEvents(90, new int[] {10, 40, 70}, 7));
        assertEquals(16, a.length);
        assertArrayEquals(a, b);
        for (int i = 1; i < a.length; i++) assertTrue(a[i] > a[i - 1], "distinct and in time order: " + Arrays.toString(a));
    }

    @Test
    void eventFramesAreChosen() {
        int[] events = {10, 40, 70};
        int[] keys = new SaliencyKeyFrames().select(clipWithEvents(90, events, 3));
        for (int e : events) assertTrue(Arrays.stream(keys).anyMatch(k -> k == e), "event frame " + e + " in " + Arrays.toString(keys));
    }

    @Test
    void uniformBaselineSpreadsAndPadsShortClips() {
        assertArrayEquals(new int[] {3, 9, 15}, UniformKeyFrames.spread(18, 3));
        int[] padded = new UniformKeyFrames().select(clipWithEvents(5, new int[0], 1), 16);
        assertEquals(16, padded.length);
        assertEquals(0, padded[0]);
        assertEquals(4, padded[15]);
        int[] fromSaliency = new SaliencyKeyFrames().select(clipWithEvents(5, new int[0], 1), 16);
        assertArrayEquals(padded, fromSaliency, "too few frames: both repeat frames the same way");
    }
}

package dpvm.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizationTest {
    @Test
    void activityNetSubtractsTheMeanOnTheByteScale() {
        assertEquals(0f, Normalization.RESNET3D_ACTIVITYNET.apply(0, 114.7748f), 1e-4);
        assertEquals(255 - 99.4750f, Normalization.RESNET3D_ACTIVITYNET.apply(2, 255f), 1e-4);
        assertEquals(-107.7354f, Normalization.RESNET3D_ACTIVITYNET.apply(1, 0f), 1e-4);
    }

    @Test
    void kineticsScalesToUnitThenStandardises() {
        assertEquals((1 - 0.4345f) / 0.2768f, Normalization.RESNET3D_KINETICS.apply(0, 255f), 1e-4);
        assertEquals(-0.3775f / 0.2737f, Normalization.RESNET3D_KINETICS.apply(2, 0f), 1e-4);
    }

    @Test
    void vivitMapsToMinusOneOne() {
        assertEquals(-1f, Normalization.VIVIT.apply(0, 0f), 1e-6);
        assertEquals(1f, Normalization.VIVIT.apply(1, 255f), 1e-6);
        assertEquals(0f, Normalization.VIVIT.apply(2, 127.5f), 1e-6);
    }

    @Test
    void resnetClipsAreChannelsFirstAndLoopTheTail() {
        List<RgbImage> frames = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            RgbImage f = RgbImage.blank(4, 2);
            for (int c = 0; c < 3; c++) for (int i = 0; i < 8; i++) f.planes()[c * 8 + i] = 10 * t + c;
            frames.add(f);
        }
        List<PackedClip> clips = ClipPacker.resnet3dClips(frames, Normalization.NONE);
        assertEquals(2, clips.size());
        assertArrayEquals(new int[] {3, 16, 2, 4}, clips.get(0).shape());
        float[] d = clips.get(0).data();
        assertEquals(10 * 5 + 2, d[(2 * 16 + 5) * 8 + 3], "[c=2, t=5, y=0, x=3]");
        float[] tail = clips.get(1).data();
        assertEquals(10 * 16, tail[(0 * 16 + 4) * 8], "frame 4 of the tail loops back to frame 16");
        assertEquals(10 * 19 + 1, tail[(1 * 16 + 15) * 8], "t=15 of the tail is frame 16+(15 mod 4)=19");

        PackedClip vivit = ClipPacker.timeFirst(frames.subList(0, 2), Normalization.VIVIT);
        assertArrayEquals(new int[] {2, 3, 2, 4}, vivit.shape());
        assertEquals(Normalization.VIVIT.apply(1, 11f), vivit.data()[(1 * 3 + 1) * 8], 1e-6);
    }

    @Test
    void shortClipsLoopTheWholeClip() {
        List<RgbImage> frames = new ArrayList<>();
        for (int t = 0; t < 3; t++) frames.add(RgbImage.blank(2, 2));
        List<PackedClip> clips = ClipPacker.resnet3dClips(frames, Normalization.NONE);
        assertEquals(1, clips.size());
        assertEquals(16, clips.get(0).shape()[1]);
        assertSame(frames.get(1), ClipPacker.pick(frames, new int[] {1}).get(0));
    }
}

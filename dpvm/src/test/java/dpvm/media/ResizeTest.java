package dpvm.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ResizeTest {
    @Test
    void shortSideSizesTruncateTheLongSide() {
        assertArrayEquals(new int[] {149, 112}, Resize.shortSideSize(320, 240, 112));
        assertArrayEquals(new int[] {112, 149}, Resize.shortSideSize(240, 320, 112));
        assertArrayEquals(new int[] {455, 256}, Resize.shortSideSize(1280, 720, 256));
        assertArrayEquals(new int[] {112, 112}, Resize.shortSideSize(500, 500, 112));
    }

    @Test
    void oddMarginsFollowEachReference() {
        assertEquals(18, Resize.offset(37, false), "round(18.5) = 18 (half to even)");
        assertEquals(18, Resize.offset(35, false), "round(17.5) = 18");
        assertEquals(17, Resize.offset(35, true), "35 // 2 = 17");
        assertEquals(16, Resize.offset(32, false));
    }

    @Test
    void halvingUsesTheWidenedTriangle() {
        RgbImage row = ramp(4, 1, new float[] {0, 10, 20, 30});
        RgbImage out = Resize.bilinear(row, 2, 1);
        // PIL: taps (0.75, 0.75, 0.25)/1.75 around centre 1.0 and (0.25, 0.75, 0.75)/1.75 around 3.0.
        assertEquals(12.5 / 1.75, out.get(0, 0, 0), 1e-5);
        assertEquals(40.0 / 1.75, out.get(0, 0, 1), 1e-5);
    }

    @Test
    void constantStaysConstantAndRampStaysLinearWhenEnlarging() {
        RgbImage flat = RgbImage.blank(7, 5);
        java.util.Arrays.fill(flat.planes(), 42f);
        RgbImage big = Resize.bilinear(flat, 23, 17);
        for (float v : big.planes()) assertEquals(42f, v, 1e-4);

        RgbImage ramp = ramp(4, 1, new float[] {0, 10, 20, 30});
        RgbImage up = Resize.bilinear(ramp, 8, 1);
        // Output pixel centres map to 0.25, 0.75, ... in input coordinates; interior ones interpolate linearly.
        assertEquals(2.5f, up.get(0, 0, 1), 1e-4);
        assertEquals(7.5f, up.get(0, 0, 2), 1e-4);
        assertEquals(22.5f, up.get(0, 0, 5), 1e-4);
    }

    @Test
    void viewGeometryKeepsTheCentre() {
        // 320x240 with a bright 2x2 block at the centre: after 112-view it must sit at the centre too.
        RgbImage img = RgbImage.blank(320, 240);
        for (int c = 0; c < 3; c++) for (int y = 118; y < 122; y++) for (int x = 158; x < 162; x++) img.set(c, y, x, 255);
        RgbImage v = Resize.toView(img, FrameView.RESNET3D);
        assertEquals(112, v.width());
        assertEquals(112, v.height());
        int bestX = 0, bestY = 0;
        for (int y = 0; y < 112; y++) for (int x = 0; x < 112; x++) if (v.get(0, y, x) > v.get(0, bestY, bestX)) { bestX = x; bestY = y; }
        assertEquals(55.5, bestX, 1.0);
        assertEquals(55.5, bestY, 1.0);
    }

    @Test
    void cropLargerThanImageIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Resize.centreCrop(RgbImage.blank(10, 10), 11, 10, true));
    }

    static RgbImage ramp(int w, int h, float[] row) {
        RgbImage img = RgbImage.blank(w, h);
        for (int c = 0; c < 3; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.set(c, y, x, row[x]);
        return img;
    }
}

package dpvm.media;

/**
 * An RGB picture as three float planes (R, then G, then B), each row-major, values on the 0-255 scale.
 * Planar layout is what the clip tensors want ({@code [3,T,H,W]}), so packing is a plane copy.
 */
public record RgbImage(int width, int height, float[] planes) {

    public RgbImage {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("empty image " + width + "x" + height);
        if (planes.length != 3 * width * height) {
            throw new IllegalArgumentException("expected " + 3 * width * height + " values, got " + planes.length);
        }
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new float[3 * width * height]);
    }

    public float get(int channel, int y, int x) {
        return planes[(channel * height + y) * width + x];
    }

    public void set(int channel, int y, int x, float v) {
        planes[(channel * height + y) * width + x] = v;
    }

    /** Mean of one channel over the whole picture. */
    public double channelMean(int channel) {
        int n = width * height;
        double s = 0;
        for (int i = channel * n, e = i + n; i < e; i++) s += planes[i];
        return s / n;
    }

    /** Mean over all three channels: a cheap brightness measure. */
    public double mean() {
        return (channelMean(0) + channelMean(1) + channelMean(2)) / 3;
    }
}

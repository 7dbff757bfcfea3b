package dpvm.media;

/**
 * Bilinear resizing and centre cropping with the geometry of PIL's {@code Image.resize(BILINEAR)}, which is
 * what both the 3D-ResNet and the ViViT preprocessing call. PIL widens the triangle filter by the scale
 * factor when shrinking (an area-weighted, anti-aliased bilinear), so a plain 2-tap interpolation would
 * alias on 720p to 112 and drift from the reference features.
 */
public final class Resize {
    private Resize() {}

    /** Output size when the short side becomes {@code s}; the long side is truncated like torchvision/HF. */
    public static int[] shortSideSize(int width, int height, int s) {
        if (width <= height) return new int[] {s, (int) ((long) s * height / width)};
        return new int[] {(int) ((long) s * width / height), s};
    }

    public static RgbImage bilinear(RgbImage src, int outW, int outH) {
        if (outW == src.width() && outH == src.height()) return src;
        Taps h = taps(src.width(), outW);
        Taps v = taps(src.height(), outH);
        int inW = src.width(), inH = src.height();
        float[] in = src.planes();
        float[] mid = new float[3 * inH * outW];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < inH; y++) {
                int row = (c * inH + y) * inW;
                int orow = (c * inH + y) * outW;
                for (int x = 0; x < outW; x++) {
                    int k0 = h.first[x], n = h.count[x], wo = x * h.stride;
                    float acc = 0;
                    for (int k = 0; k < n; k++) acc += h.weights[wo + k] * in[row + k0 + k];
                    mid[orow + x] = acc;
                }
            }
        }
        float[] out = new float[3 * outH * outW];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < outH; y++) {
                int k0 = v.first[y], n = v.count[y], wo = y * v.stride;
                int orow = (c * outH + y) * outW;
                for (int k = 0; k < n; k++) {
                    float w = v.weights[wo + k];
                    int irow = (c * inH + k0 + k) * outW;
                    for (int x = 0; x < outW; x++) out[orow + x] += w * mid[irow + x];
                }
            }
        }
        return new RgbImage(outW, outH, out);
    }

    public static RgbImage centreCrop(RgbImage src, int cropW, int cropH, boolean floor) {
        if (cropW > src.width() || cropH > src.height()) {
            throw new IllegalArgumentException("crop " + cropW + "x" + cropH + " larger than " + src.width() + "x" + src.height());
        }
        int left = offset(src.width() - cropW, floor);
        int top = offset(src.height() - cropH, floor);
        float[] out = new float[3 * cropW * cropH];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < cropH; y++) {
                System.arraycopy(src.planes(), (c * src.height() + top + y) * src.width() + left,
                        out, (c * cropH + y) * cropW, cropW);
            }
        }
        return new RgbImage(cropW, cropH, out);
    }

    /** Resize the short side to the view's size, then crop: one frame in, one model-ready frame out. */
    public static RgbImage toView(RgbImage src, FrameView view) {
        int[] size = shortSideSize(src.width(), src.height(), view.shortSide());
        return centreCrop(bilinear(src, size[0], size[1]), view.cropWidth(), view.cropHeight(), view.floorCrop());
    }

    /** Python's {@code round(m / 2.0)} rounds halves to even; {@code m // 2} floors. */
    static int offset(int margin, boolean floor) {
        if (floor || margin % 2 == 0) return margin / 2;
        int half = margin / 2;
        return half % 2 == 0 ? half : half + 1;
    }

    private record Taps(int[] first, int[] count, float[] weights, int stride) {}

    /** PIL's coefficient precomputation for a triangle filter of support 1, stretched when shrinking. */
    private static Taps taps(int in, int out) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[out];
        int[] count = new int[out];
        float[] weights = new float[out * stride];
        for (int i = 0; i < out; i++) {
            double centre = (i + 0.5) * scale;
            int lo = Math.max((int) Math.floor(centre - support + 0.5), 0);
            int hi = Math.min((int) Math.floor(centre + support + 0.5), in);
            int n = hi - lo;
            double total = 0;
            double[] w = new double[n];
            for (int k = 0; k < n; k++) {
                double d = Math.abs((k + lo - centre + 0.5) / filterScale);
                w[k] = d < 1 ? 1 - d : 0;
                total += w[k];
            }
            first[i] = lo;
            count[i] = n;
            for (int k = 0; k < n; k++) weights[i * stride + k] = (float) (total == 0 ? 0 : w[k] / total);
        }
        return new Taps(first, count, weights, stride);
    }
}

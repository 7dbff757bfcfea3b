package dpvm.tensor.cpu;

import java.util.Arrays;

/**
 * Column matrices for convolution as GEMM, restricted to a channel range [c0, c1) and an output-position range
 * [p0, p1): row {@code (c - c0) * kernelVolume + kernel offset}, column {@code pos - p0}. Both directions walk the
 * same runs of output positions along W, so the index arithmetic exists once.
 */
final class Im2col {
    private Im2col() {}

    /** Fills {@code col} from the image at {@code img[base + c * inPlane + ...]}; padding reads as zero. */
    static void gather(ConvGeometry g, float[] img, int base, int c0, int c1, int p0, int p1, float[] col) {
        walk(g, img, base, c0, c1, p0, p1, col, true);
    }

    /** Adds {@code col} back onto the image positions it was gathered from (the adjoint of {@link #gather}). */
    static void scatterAdd(ConvGeometry g, float[] col, int c0, int c1, int p0, int p1, float[] img, int base) {
        walk(g, img, base, c0, c1, p0, p1, col, false);
    }

    private static void walk(ConvGeometry g, float[] img, int base, int c0, int c1, int p0, int p1, float[] col,
                             boolean gather) {
        int[] in = g.inSize(), out = g.outSize(), k = g.kernel(), s = g.stride(), pad = g.padding();
        int[] dil = g.dilation();
        int inH = in[1], inW = in[2], outHW = out[1] * out[2], outW = out[2], ld = p1 - p0;
        int plane = g.inPlane(), sw = s[2];
        int row = 0;
        for (int c = c0; c < c1; c++) {
            int chan = base + c * plane;
            for (int kd = 0; kd < k[0]; kd++) {
                for (int kh = 0; kh < k[1]; kh++) {
                    for (int kw = 0; kw < k[2]; kw++, row++) {
                        int shift = kw * dil[2] - pad[2];
                        // Output columns ow whose input column ow*sw + shift lies inside [0, inW).
                        int owLo = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
                        int owHi = inW - 1 - shift < 0 ? 0 : (inW - 1 - shift) / sw + 1;
                        for (int pos = p0; pos < p1; ) {
                            int od = pos / outHW, oh = pos % outHW / outW, ow = pos % outW;
                            int run = Math.min(outW - ow, p1 - pos), j = row * ld + pos - p0 - ow;
                            int id = od * s[0] - pad[0] + kd * dil[0], ih = oh * s[1] - pad[1] + kh * dil[1];
                            boolean inside = id >= 0 && id < in[0] && ih >= 0 && ih < inH;
                            int lo = inside ? Math.max(ow, Math.min(owLo, ow + run)) : ow + run;
                            int hi = inside ? Math.max(lo, Math.min(owHi, ow + run)) : ow + run;
                            int src = chan + (id * inH + ih) * inW + shift;
                            if (gather) {
                                // Padding runs are short (a few columns) or whole rows: loop or fill.
                                if (!inside) Arrays.fill(col, j + ow, j + lo, 0f);
                                else for (int q = ow; q < lo; q++) col[j + q] = 0f;
                                if (sw == 1 && hi > lo) System.arraycopy(img, src + lo, col, j + lo, hi - lo);
                                else if (sw != 1) for (int q = lo; q < hi; q++) col[j + q] = img[src + q * sw];
                                for (int q = hi; q < ow + run; q++) col[j + q] = 0f;
                            } else {
                                for (int q = lo; q < hi; q++) img[src + q * sw] += col[j + q];
                            }
                            pos += run;
                        }
                    }
                }
            }
        }
    }
}

package dpvm.tensor.cpu;

/**
 * The input taps of every output position of one plane, in PyTorch's scan order (D, then H, then W), as a
 * compressed list: output {@code j} reads the in-plane indices {@code taps[start[j] .. start[j+1])}. Every plane
 * shares it, and the float and double pooling loops only walk it, so the window arithmetic exists once.
 */
final class PoolWindows {
    final int[] start;
    final int[] taps;
    /** Averaging divisor per output (null for max pooling). */
    final int[] divisor;

    private PoolWindows(int[] start, int[] taps, int[] divisor) {
        this.start = start;
        this.taps = taps;
        this.divisor = divisor;
    }

    int outputs() {
        return start.length - 1;
    }

    /** Max pooling: the dilated taps that fall inside the input. */
    static PoolWindows max(PoolGeometry g) {
        return build(g, g.inSize(), g.outSize(), false, false);
    }

    /** Average pooling; {@code countIncludePad} counts padding (but not ceil-mode overhang) in the divisor. */
    static PoolWindows average(PoolGeometry g, boolean countIncludePad) {
        for (int d : g.dilation()) {
            if (d != 1) throw new IllegalArgumentException("average pooling takes no dilation, got " + g);
        }
        return build(g, g.inSize(), g.outSize(), true, countIncludePad);
    }

    /** Adaptive average pooling: window [floor(i*in/out), ceil((i+1)*in/out)) along each dimension. */
    static PoolWindows adaptive(int[] inSize, int[] outSize) {
        return build(null, ConvGeometry.spatial("inSize", inSize, 1), ConvGeometry.spatial("outSize", outSize, 1),
                true, false);
    }

    /**
     * Per dimension, lists the valid input coordinates of each output coordinate and the divisor factor, then
     * takes the product over the three dimensions. {@code g == null} means adaptive windows.
     */
    private static PoolWindows build(PoolGeometry g, int[] in, int[] out, boolean average, boolean includePad) {
        int[][][] axis = new int[3][][];
        int[][] count = new int[3][];
        int[] stride = g == null ? null : g.stride(), pad = g == null ? null : g.padding();
        int[] dil = g == null ? null : g.dilation(), kernel = g == null ? null : g.kernel();
        for (int d = 0; d < 3; d++) {
            axis[d] = new int[out[d]][];
            count[d] = new int[out[d]];
            for (int o = 0; o < out[d]; o++) {
                int first, step, k, padEnd;
                if (g == null) {
                    first = (int) ((long) o * in[d] / out[d]);
                    k = (int) (((long) (o + 1) * in[d] + out[d] - 1) / out[d]) - first;
                    step = 1;
                    padEnd = in[d];
                } else {
                    first = o * stride[d] - pad[d];
                    step = dil[d];
                    k = kernel[d];
                    padEnd = in[d] + pad[d];
                }
                int lo = 0, hi = k;
                while (lo < k && first + lo * step < 0) lo++;
                while (hi > lo && first + (hi - 1) * step >= in[d]) hi--;
                axis[d][o] = new int[hi - lo];
                for (int t = lo; t < hi; t++) axis[d][o][t - lo] = first + t * step;
                count[d][o] = includePad ? Math.min(first + k, padEnd) - first : hi - lo;
            }
        }
        int outputs = out[0] * out[1] * out[2];
        int[] start = new int[outputs + 1];
        int[] divisor = average ? new int[outputs] : null;
        int j = 0;
        for (int a = 0; a < out[0]; a++) {
            for (int b = 0; b < out[1]; b++) {
                for (int c = 0; c < out[2]; c++, j++) {
                    start[j + 1] = start[j] + axis[0][a].length * axis[1][b].length * axis[2][c].length;
                    if (average) divisor[j] = count[0][a] * count[1][b] * count[2][c];
                }
            }
        }
        int[] taps = new int[start[outputs]];
        int t = 0;
        for (int a = 0; a < out[0]; a++) {
            for (int b = 0; b < out[1]; b++) {
                for (int c = 0; c < out[2]; c++) {
                    for (int id : axis[0][a]) {
                        for (int ih : axis[1][b]) {
                            for (int iw : axis[2][c]) taps[t++] = (id * in[1] + ih) * in[2] + iw;
                        }
                    }
                }
            }
        }
        return new PoolWindows(start, taps, divisor);
    }
}

package dpvm.media;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Emotional key frames by a hand-made affective saliency score (the published method's formula is not
 * public; docs/dpvm.md gives the reasoning). Per frame:
 * <ul>
 *   <li>change {@code d_j}: L1 distance between the colour histograms of frame j and j-1 (frame
 *       differencing, a motion/arousal cue; the first frame borrows its successor's value);</li>
 *   <li>colourfulness {@code c_j} (Hasler and Suesstrunk 2003), a valence/arousal cue of still images.</li>
 * </ul>
 * The score is {@code z(d) + BETA * z(c)}; frames are taken best-first while keeping at least
 * {@code n / (2 * count)} frames apart, so the key frames are not one burst; if spacing leaves too few,
 * the rest are filled best-first without it. Ties go to the earlier frame, so the choice is deterministic.
 */
public final class SaliencyKeyFrames implements KeyFrameSelector {
    /** Weight of colourfulness against change. */
    public static final double BETA = 0.5;
    /** Histogram bins per channel (4x4x4 = 64 bins): coarse enough to ignore noise and compression. */
    static final int BINS = 4;
    /** Pixel stride when building histograms: 112x112 frames give about 3k samples, plenty for 64 bins. */
    static final int STRIDE = 2;

    @Override
    public int[] select(List<RgbImage> frames, int count) {
        int n = frames.size();
        if (n <= count) return UniformKeyFrames.spread(n, count);
        double[] score = scores(frames);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));

        int gap = n / (2 * count);
        boolean[] taken = new boolean[n];
        List<Integer> chosen = new ArrayList<>(count);
        for (int i : order) {
            if (chosen.size() == count) break;
            if (farFromAll(i, chosen, gap)) {
                chosen.add(i);
                taken[i] = true;
            }
        }
        for (int i : order) {
            if (chosen.size() == count) break;
            if (!taken[i]) {
                chosen.add(i);
                taken[i] = true;
            }
        }
        return chosen.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** The per-frame saliency scores (exposed for inspection and tests). */
    public double[] scores(List<RgbImage> frames) {
        int n = frames.size();
        double[][] hist = new double[n][];
        double[] colour = new double[n];
        for (int j = 0; j < n; j++) {
            hist[j] = histogram(frames.get(j));
            colour[j] = colourfulness(frames.get(j));
        }
        double[] change = new double[n];
        for (int j = 1; j < n; j++) {
            double d = 0;
            for (int b = 0; b < hist[j].length; b++) d += Math.abs(hist[j][b] - hist[j - 1][b]);
            change[j] = d;
        }
        if (n > 1) change[0] = change[1];
        double[] zc = zscores(change), zk = zscores(colour);
        double[] s = new double[n];
        for (int j = 0; j < n; j++) s[j] = zc[j] + BETA * zk[j];
        return s;
    }

    private static boolean farFromAll(int i, List<Integer> chosen, int gap) {
        for (int c : chosen) if (Math.abs(c - i) < gap) return false;
        return true;
    }

    static double[] histogram(RgbImage f) {
        double[] h = new double[BINS * BINS * BINS];
        int w = f.width(), ht = f.height(), plane = w * ht;
        float[] p = f.planes();
        int total = 0;
        for (int y = 0; y < ht; y += STRIDE) {
            for (int x = 0; x < w; x += STRIDE) {
                int i = y * w + x;
                h[(bin(p[i]) * BINS + bin(p[plane + i])) * BINS + bin(p[2 * plane + i])]++;
                total++;
            }
        }
        for (int b = 0; b < h.length; b++) h[b] /= total;
        return h;
    }

    private static int bin(float v) {
        return Math.min(BINS - 1, Math.max(0, (int) (v * BINS / 256f)));
    }

    /** Hasler and Suesstrunk: spread and strength of the rg and yb opponent channels. */
    static double colourfulness(RgbImage f) {
        int w = f.width(), ht = f.height(), plane = w * ht;
        float[] p = f.planes();
        double srg = 0, syb = 0, qrg = 0, qyb = 0;
        int n = 0;
        for (int y = 0; y < ht; y += STRIDE) {
            for (int x = 0; x < w; x += STRIDE) {
                int i = y * w + x;
                double r = p[i], g = p[plane + i], b = p[2 * plane + i];
                double rg = r - g, yb = 0.5 * (r + g) - b;
                srg += rg;
                syb += yb;
                qrg += rg * rg;
                qyb += yb * yb;
                n++;
            }
        }
        double mrg = srg / n, myb = syb / n;
        double vrg = Math.max(0, qrg / n - mrg * mrg), vyb = Math.max(0, qyb / n - myb * myb);
        return Math.sqrt(vrg + vyb) + 0.3 * Math.sqrt(mrg * mrg + myb * myb);
    }

    private static double[] zscores(double[] v) {
        double mean = Arrays.stream(v).average().orElse(0);
        double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).average().orElse(0);
        double sd = Math.sqrt(var);
        double[] z = new double[v.length];
        if (sd < 1e-12) return z;
        for (int i = 0; i < v.length; i++) z[i] = (v[i] - mean) / sd;
        return z;
    }
}

package dpvm.media;

import java.util.List;

/** The baseline: {@code count} frames at the centres of equal time slices. */
public final class UniformKeyFrames implements KeyFrameSelector {
    @Override
    public int[] select(List<RgbImage> frames, int count) {
        return spread(frames.size(), count);
    }

    static int[] spread(int n, int count) {
        if (n <= 0) throw new IllegalArgumentException("no frames to choose from");
        if (count <= 0) throw new IllegalArgumentException("count must be positive");
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = Math.min(n - 1, (int) Math.floor((i + 0.5) * n / count));
        }
        return out;
    }
}

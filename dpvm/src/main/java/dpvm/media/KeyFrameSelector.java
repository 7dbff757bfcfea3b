package dpvm.media;

import java.util.List;

/**
 * Chooses the emotional key frames of a clip (paper §III-B: 16 of them feed the emotion path).
 * Implementations must be deterministic: same frames, same indices.
 */
public interface KeyFrameSelector {
    /** The paper's count. */
    int PAPER_COUNT = 16;

    /**
     * Exactly {@code count} indices into {@code frames}, ascending (time order). A clip with fewer
     * frames than {@code count} repeats frames rather than returning fewer.
     */
    int[] select(List<RgbImage> frames, int count);

    default int[] select(List<RgbImage> frames) {
        return select(frames, PAPER_COUNT);
    }

    /** The default used by the pipeline; see docs/dpvm.md for why. */
    static KeyFrameSelector standard() {
        return new SaliencyKeyFrames();
    }
}

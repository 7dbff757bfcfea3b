package dpvm.media;

import java.util.List;

/**
 * What to pull out of one video.
 *
 * @param start          window start in seconds from the container start
 * @param end            window end (exclusive); {@link Double#POSITIVE_INFINITY} = to the end of the stream
 * @param sampleRate     frames kept per second (the paper's 6)
 * @param views          the model views each kept frame is resized/cropped into
 * @param audioRates     mono audio sample rates to decode (16 kHz for VGGish, 22.05 kHz for librosa MFCC)
 * @param requireAudio   a missing audio track fails the file instead of being a warning
 * @param decoderThreads FFmpeg threads per file; 1 so a pool of N workers uses N cores and no more
 */
public record DecodeOptions(double start, double end, double sampleRate, List<FrameView> views,
                            List<Integer> audioRates, boolean requireAudio, int decoderThreads) {

    public static final double PAPER_SAMPLE_RATE = 6.0;

    public DecodeOptions {
        views = List.copyOf(views);
        audioRates = List.copyOf(audioRates);
        if (start < 0 || !(end > start)) throw new IllegalArgumentException("bad window [" + start + ", " + end + ")");
        if (decoderThreads < 1) throw new IllegalArgumentException("decoderThreads must be >= 1");
    }

    /** The whole clip at 6 fps, both backbone views, audio at 16 kHz and 22.05 kHz. */
    public static DecodeOptions defaults() {
        return new DecodeOptions(0, Double.POSITIVE_INFINITY, PAPER_SAMPLE_RATE,
                List.of(FrameView.RESNET3D, FrameView.VIVIT), List.of(16000, 22050), false, 1);
    }

    public DecodeOptions window(double newStart, double newEnd) {
        return new DecodeOptions(newStart, newEnd, sampleRate, views, audioRates, requireAudio, decoderThreads);
    }

    public DecodeOptions views(List<FrameView> newViews) {
        return new DecodeOptions(start, end, sampleRate, newViews, audioRates, requireAudio, decoderThreads);
    }

    public DecodeOptions audioRates(List<Integer> rates) {
        return new DecodeOptions(start, end, sampleRate, views, rates, requireAudio, decoderThreads);
    }

    public DecodeOptions requireAudio(boolean required) {
        return new DecodeOptions(start, end, sampleRate, views, audioRates, required, decoderThreads);
    }
}

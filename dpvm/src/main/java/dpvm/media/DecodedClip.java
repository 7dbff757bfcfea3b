package dpvm.media;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything decoded from one video window.
 *
 * @param frames     per view name, the kept frames in time order (all views have the same count)
 * @param frameTimes the presentation time (s, from the container start) of the decoded frame behind each sample
 * @param fps        samples per second (6 by default); {@code sourceFps} is the file's own frame rate
 * @param audio      per sample rate (Hz), mono float PCM of the window; empty arrays when the file has no sound
 * @param duration   seconds covered by the samples, {@code frameTimes.length / fps}
 * @param warnings   non-fatal problems (e.g. no audio track)
 */
public record DecodedClip(Path source, Map<String, List<RgbImage>> frames, double[] frameTimes, double fps,
                          Map<Integer, float[]> audio, double duration, double sourceFps,
                          int sourceWidth, int sourceHeight, List<MediaProblem> warnings) {

    public List<RgbImage> frames(FrameView view) {
        List<RgbImage> f = frames.get(view.name());
        if (f == null) throw new IllegalArgumentException("view " + view.name() + " was not decoded; have " + frames.keySet());
        return f;
    }

    public int frameCount() {
        return frameTimes.length;
    }

    public float[] audio(int sampleRate) {
        float[] a = audio.get(sampleRate);
        if (a == null) throw new IllegalArgumentException("audio at " + sampleRate + " Hz was not decoded; have " + audio.keySet());
        return a;
    }

    public float[] audio16k() {
        return audio(16000);
    }

    public float[] audio22k() {
        return audio(22050);
    }

    public boolean hasAudio() {
        return audio.values().stream().anyMatch(a -> a.length > 0);
    }
}

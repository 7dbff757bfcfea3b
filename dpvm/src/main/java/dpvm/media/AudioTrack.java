package dpvm.media;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Collects resampled mono audio frames and cuts the window out of them by timestamp, so the audio
 * stays aligned with the video samples even when the audio stream starts late or early.
 */
final class AudioTrack {
    private final int rate;
    private float[] data = new float[1 << 16];
    private int size;
    private double firstTime = Double.NaN;

    AudioTrack(int rate) {
        this.rate = rate;
    }

    void append(double time, FloatBuffer samples) {
        if (Double.isNaN(firstTime)) firstTime = time;
        int n = samples.remaining();
        if (size + n > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, size + n));
        samples.get(samples.position(), data, size, n);
        size += n;
    }

    /** Seconds of audio collected so far, measured from the window origin of the container. */
    double endTime() {
        return Double.isNaN(firstTime) ? Double.NEGATIVE_INFINITY : firstTime + (double) size / rate;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Samples of {@code [start, end)}; silence where the stream has none (before its start, after its end). */
    float[] window(double start, double end) {
        if (isEmpty()) return new float[0];
        if (Double.isInfinite(end)) end = endTime();
        int n = (int) Math.round((end - start) * rate);
        float[] out = new float[Math.max(n, 0)];
        long from = Math.round((start - firstTime) * rate);
        for (int i = 0; i < out.length; i++) {
            long j = from + i;
            if (j >= 0 && j < size) out[i] = data[(int) j];
        }
        return out;
    }
}

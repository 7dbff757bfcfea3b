package dpvm.media;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * Mono float audio at a chosen rate through FFmpeg's resampler: one pass per rate, audio packets only
 * (video packets are skipped undecoded), so a second rate costs milliseconds. Also reads music files.
 */
public final class AudioDecoder {
    private AudioDecoder() {}

    /** The whole audio stream of {@code file}; empty when it has none. */
    public static float[] read(Path file, int sampleRate) throws MediaException {
        return read(file, sampleRate, 0, Double.POSITIVE_INFINITY);
    }

    /** Samples of {@code [start, end)} seconds; silence fills any part the stream does not cover. */
    public static float[] read(Path file, int sampleRate, double start, double end) throws MediaException {
        FFmpegFrameGrabber g = Ffmpeg.open(file, sampleRate, 1);
        try {
            if (!g.hasAudio()) return new float[0];
            long t0 = Ffmpeg.startMicros(g);
            Ffmpeg.seekBefore(g, start);
            AudioTrack track = new AudioTrack(sampleRate);
            Frame f;
            while (track.endTime() < end && (f = g.grabSamples()) != null) {
                if (f.samples != null) track.append((f.timestamp - t0) / 1e6, (FloatBuffer) f.samples[0]);
            }
            if (track.isEmpty()) throw new MediaException(file, ProblemKind.CORRUPT, "audio stream has no decodable samples");
            return track.window(start, end);
        } catch (MediaException e) {
            throw e;
        } catch (Exception e) {
            throw new MediaException(file, ProblemKind.CORRUPT, "audio decoding failed: " + e.getMessage(), e);
        } finally {
            Ffmpeg.closeQuietly(g);
        }
    }
}

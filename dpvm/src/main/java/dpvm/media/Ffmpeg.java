package dpvm.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/** Shared FFmpeg plumbing: loading the natives once, opening a grabber, and naming its failures. */
public final class Ffmpeg {
    private static volatile boolean loaded;

    private Ffmpeg() {}

    /**
     * Loads the natives and silences FFmpeg's own logging: every failure is classified and reported by
     * file here, and FFmpeg's console lines from worker threads would interleave unreadably. Loading
     * avformat directly (not {@code FFmpegFrameGrabber.tryLoad}) avoids libavdevice, which needs
     * PulseAudio/ALSA libraries that a server may lack.
     */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (Ffmpeg.class) {
            if (loaded) return;
            Loader.load(avformat.class);
            av_log_set_level(AV_LOG_FATAL);
            loaded = true;
        }
    }

    /** Fails early, with a specific kind, on files FFmpeg would only call "invalid data". */
    static void checkReadable(Path file) throws MediaException {
        if (!Files.exists(file)) throw new MediaException(file, ProblemKind.MISSING_FILE, null);
        try {
            if (Files.size(file) == 0) throw new MediaException(file, ProblemKind.EMPTY_FILE, "0 bytes");
        } catch (java.io.IOException e) {
            throw new MediaException(file, ProblemKind.IO_ERROR, e.getMessage(), e);
        }
    }

    /**
     * Opens a grabber that hands out RGB24 pictures and, when {@code audioRate > 0}, mono float audio
     * resampled by FFmpeg to that rate.
     */
    static FFmpegFrameGrabber open(Path file, int audioRate, int threads) throws MediaException {
        ensureLoaded();
        checkReadable(file);
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
        g.setPixelFormat(AV_PIX_FMT_RGB24);
        g.setVideoOption("threads", Integer.toString(threads));
        if (audioRate > 0) {
            g.setSampleRate(audioRate);
            g.setAudioChannels(1);
            g.setSampleFormat(AV_SAMPLE_FMT_FLT);
        }
        try {
            g.start();
        } catch (Exception | LinkageError e) {
            closeQuietly(g);
            throw classifyOpenFailure(file, e);
        }
        return g;
    }

    static MediaException classifyOpenFailure(Path file, Throwable e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("avcodec_find_decoder")) {
            return new MediaException(file, ProblemKind.UNSUPPORTED_CODEC, msg, e);
        }
        if (e instanceof LinkageError) {
            return new MediaException(file, ProblemKind.INTERNAL, "FFmpeg natives failed to load: " + msg, e);
        }
        return new MediaException(file, ProblemKind.CORRUPT, msg, e);
    }

    /**
     * A video stream the grabber passed over because no decoder knows its codec (JavaCV silently skips
     * streams whose codec id is unknown), described for the user; null when there is none.
     */
    static String undecodableVideo(FFmpegFrameGrabber g) {
        org.bytedeco.ffmpeg.avformat.AVFormatContext oc = g.getFormatContext();
        for (int i = 0; i < oc.nb_streams(); i++) {
            org.bytedeco.ffmpeg.avcodec.AVCodecParameters par = oc.streams(i).codecpar();
            if (par.codec_type() != org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO) continue;
            int tag = par.codec_tag();
            StringBuilder fourcc = new StringBuilder();
            for (int b = 0; b < 4; b++) {
                char c = (char) ((tag >>> (8 * b)) & 0xff);
                fourcc.append(c >= 32 && c < 127 ? c : '?');
            }
            return "stream " + i + ": video with codec id " + par.codec_id() + ", tag '" + fourcc + "'";
        }
        return null;
    }

    /** Seek this far before a window so decoding has passed a key frame before the window opens. */
    static final double PRE_ROLL_S = 5;

    /**
     * Jumps (backwards, to a key frame) to about {@link #PRE_ROLL_S} before {@code seconds}, so a window
     * deep in a long file does not decode everything before it. Frames are still chosen by their
     * timestamps afterwards, so where exactly the seek lands does not matter. Only valid on a grabber
     * that has not grabbed yet: nothing is buffered in its decoders to flush.
     *
     * @return false when the container cannot seek; decoding then simply starts from the beginning
     */
    static boolean seekBefore(FFmpegFrameGrabber g, double seconds) {
        if (seconds <= PRE_ROLL_S) return true;
        long target = startMicros(g) + (long) ((seconds - PRE_ROLL_S) * 1e6);
        return org.bytedeco.ffmpeg.global.avformat.av_seek_frame(g.getFormatContext(), -1, target,
                org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BACKWARD) >= 0;
    }

    /** Seconds of the container's start: timestamps are reported relative to it. */
    static long startMicros(FFmpegFrameGrabber g) {
        long st = g.getFormatContext().start_time();
        return st == org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE ? 0 : st;
    }

    static void closeQuietly(FFmpegFrameGrabber g) {
        try {
            g.close();
        } catch (Exception ignored) {
            // Closing a grabber that failed to start can itself fail; the original error is what matters.
        }
    }
}

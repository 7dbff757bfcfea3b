package dpvm.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * Cuts [start, end) of a movie into an H.264/AAC clip and a mono WAV of its soundtrack (the clip's
 * music, since MVED clips carry only background music).
 *
 * <p>Re-encodes rather than stream-copies: a copy can only start on a key frame, often seconds away
 * from the labelled start, which would shift every clip and its music against the manifest. The
 * cost (a few seconds per clip at 480p) is paid once per data set. Frames are taken by timestamp
 * after one backward seek to well before the start, the same frame rule as {@link FrameSampler}.
 */
public final class ClipCutter {
    public static final int MUSIC_RATE = 22050;

    private ClipCutter() {}

    /**
     * @param maxShortSide scale down (FFmpeg bilinear) so the short side is at most this; 0 keeps the size
     * @return seconds of video written
     */
    public static double cut(Path movie, double start, double end, Path outVideo, Path outMusic, int maxShortSide)
            throws MediaException {
        FFmpegFrameGrabber g = Ffmpeg.open(movie, MUSIC_RATE, 1);
        Path tmpVideo = sibling(outVideo), tmpMusic = sibling(outMusic);
        try {
            if (!g.hasVideo()) throw new MediaException(movie, ProblemKind.NO_VIDEO, null);
            if (!g.hasAudio()) throw new MediaException(movie, ProblemKind.NO_AUDIO, "no soundtrack to take the clip's music from");
            int[] size = outputSize(g.getImageWidth(), g.getImageHeight(), maxShortSide);
            g.setImageWidth(size[0]);
            g.setImageHeight(size[1]);
            long t0 = Ffmpeg.startMicros(g);
            Ffmpeg.seekBefore(g, start);
            double fps = g.getFrameRate() > 0 ? g.getFrameRate() : 25;
            AudioTrack audio = new AudioTrack(MUSIC_RATE);
            int frames = 0;
            double last = start;
            byte[] rgb = new byte[3 * size[0] * size[1]];
            try (Mp4Writer w = new Mp4Writer(tmpVideo, size[0], size[1], fps, MUSIC_RATE, bitrate(size), false)) {
                boolean videoDone = false;
                while (!videoDone || audio.endTime() < end) {
                    Frame f = g.grabFrame(audio.endTime() < end, !videoDone, true, false);
                    if (f == null) break;
                    double t = (f.timestamp - t0) / 1e6;
                    if (f.image != null && !videoDone) {
                        if (t >= end - FrameSampler.EPSILON) {
                            videoDone = true;
                        } else if (t >= start - FrameSampler.EPSILON) {
                            copyRgb(f, rgb, size[0], size[1]);
                            w.writeFrame(rgb, Math.round((t - start) * 1e6));
                            frames++;
                            last = t + 1 / fps;
                        }
                    } else if (f.samples != null) {
                        audio.append(t, (FloatBuffer) f.samples[0]);
                    }
                }
                if (frames == 0) throw new MediaException(movie, ProblemKind.SHORT_CLIP,
                        String.format("no video frame in [%.2f, %.2f) s; the movie is %.2f s long", start, end, g.getLengthInTime() / 1e6));
                if (last < end - 1.0) throw new MediaException(movie, ProblemKind.SHORT_CLIP,
                        String.format("video stops at %.2f s inside the clip [%.2f, %.2f) s", last, start, end));
                float[] music = audio.window(start, end);
                for (int i = 0; i < music.length; i += 4096) {
                    w.writeAudio(java.util.Arrays.copyOfRange(music, i, Math.min(music.length, i + 4096)));
                }
                WavWriter.write(tmpMusic, music, MUSIC_RATE);
            }
            Files.move(tmpVideo, outVideo, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpMusic, outMusic, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return last - start;
        } catch (IOException e) {
            throw new MediaException(outVideo, ProblemKind.IO_ERROR, e.getMessage(), e);
        } catch (MediaException e) {
            if (e.problem().file() == null) throw new MediaException(movie, e.problem().kind(), e.problem().detail(), e);
            throw e;
        } finally {
            Ffmpeg.closeQuietly(g);
            deleteQuietly(tmpVideo);
            deleteQuietly(tmpMusic);
        }
    }

    static int[] outputSize(int w, int h, int maxShortSide) {
        int shortSide = Math.min(w, h);
        if (maxShortSide > 0 && shortSide > maxShortSide) {
            double s = (double) maxShortSide / shortSide;
            w = (int) Math.round(w * s);
            h = (int) Math.round(h * s);
        }
        return new int[] {w & ~1, h & ~1};
    }

    private static int bitrate(int[] size) {
        return (int) Math.min(8_000_000L, Math.max(500_000L, (long) size[0] * size[1] * 4));
    }

    private static void copyRgb(Frame f, byte[] rgb, int w, int h) {
        ByteBuffer buf = (ByteBuffer) f.image[0];
        for (int y = 0; y < h; y++) buf.get(y * f.imageStride, rgb, y * w * 3, w * 3);
    }

    private static Path sibling(Path p) {
        return p.resolveSibling(p.getFileName() + ".part");
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // A leftover .part file is harmless: the next run overwrites it.
        }
    }
}

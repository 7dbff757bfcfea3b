package dpvm.media;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * Decodes one video window: every frame is decoded, the ones crossing k/6 s are kept (see
 * {@link FrameSampler}), converted to float RGB and resized/cropped into each requested view; audio is
 * resampled by FFmpeg to mono at each requested rate. Thread-confined: use one call per file and run
 * files in parallel with {@link BatchDecoder}.
 */
public final class VideoDecoder {
    /** A stream that stops this far before its declared duration is treated as cut off. */
    private static final double TRUNCATION_SLACK_S = 0.5;

    private VideoDecoder() {}

    public static DecodedClip decode(Path file, DecodeOptions o) throws MediaException {
        List<Integer> rates = o.audioRates();
        int firstRate = rates.isEmpty() ? 0 : rates.get(0);
        FFmpegFrameGrabber g = Ffmpeg.open(file, firstRate, o.decoderThreads());
        Pass pass;
        double sourceFps;
        int sourceWidth, sourceHeight;
        try {
            sourceFps = g.getFrameRate();
            sourceWidth = g.getImageWidth();
            sourceHeight = g.getImageHeight();
            if (!g.hasVideo()) {
                String unknown = Ffmpeg.undecodableVideo(g);
                if (unknown != null) throw new MediaException(file, ProblemKind.UNSUPPORTED_CODEC, unknown);
                throw new MediaException(file, ProblemKind.NO_VIDEO, "streams: " + (g.hasAudio() ? "audio only" : "none"));
            }
            pass = new Pass(file, g, o, firstRate > 0 && g.hasAudio());
            pass.run();
        } finally {
            Ffmpeg.closeQuietly(g);
        }

        List<MediaProblem> warnings = new ArrayList<>();
        Map<Integer, float[]> audio = new LinkedHashMap<>();
        double audioEnd = o.start() + pass.sampler.taken() / o.sampleRate();
        if (!pass.hasAudio) {
            if (o.requireAudio()) throw new MediaException(file, ProblemKind.NO_AUDIO, "the file has only a video stream");
            if (!rates.isEmpty()) warnings.add(new MediaProblem(file, ProblemKind.NO_AUDIO, "audio left empty", false));
            for (int r : rates) audio.put(r, new float[0]);
        } else {
            audio.put(firstRate, pass.audio.window(o.start(), audioEnd));
            for (int r : rates.subList(1, rates.size())) audio.put(r, AudioDecoder.read(file, r, o.start(), audioEnd));
        }
        double[] times = Arrays.copyOf(pass.times, pass.count);
        Map<String, List<RgbImage>> frames = new LinkedHashMap<>();
        pass.views.forEach((k, v) -> frames.put(k, List.copyOf(v)));
        return new DecodedClip(file, java.util.Collections.unmodifiableMap(frames), times, o.sampleRate(), audio, times.length / o.sampleRate(),
                sourceFps, sourceWidth, sourceHeight, List.copyOf(warnings));
    }

    /** The state of one decoding loop, kept together so {@link #decode} reads as the policy. */
    private static final class Pass {
        final Path file;
        final FFmpegFrameGrabber g;
        final DecodeOptions o;
        final boolean hasAudio;
        final FrameSampler sampler;
        final AudioTrack audio;
        final Map<String, List<RgbImage>> views = new LinkedHashMap<>();
        double[] times = new double[64];
        int count;
        RgbImage nativeFrame;
        double lastVideoTime = Double.NEGATIVE_INFINITY;
        int decodedFrames;

        Pass(Path file, FFmpegFrameGrabber g, DecodeOptions o, boolean hasAudio) {
            this.file = file;
            this.g = g;
            this.o = o;
            this.hasAudio = hasAudio;
            this.sampler = new FrameSampler(o.start(), o.end(), o.sampleRate());
            this.audio = hasAudio ? new AudioTrack(g.getSampleRate()) : null;
            for (FrameView v : o.views()) views.put(v.name(), new ArrayList<>());
        }

        void run() throws MediaException {
            long t0 = Ffmpeg.startMicros(g);
            Ffmpeg.seekBefore(g, o.start());
            boolean videoDone = false;
            try {
                while (true) {
                    boolean needAudio = hasAudio && audio.endTime() < o.end();
                    if (videoDone && !needAudio) break;
                    Frame f = g.grabFrame(needAudio, !videoDone, true, false);
                    if (f == null) break;
                    double t = (f.timestamp - t0) / 1e6;
                    if (f.image != null && !videoDone) {
                        decodedFrames++;
                        lastVideoTime = t;
                        int copies = sampler.offer(t);
                        if (copies > 0) keep(f, t, copies);
                        videoDone = sampler.done() || sampler.pastWindow(t);
                    } else if (f.samples != null && hasAudio) {
                        audio.append(t, (FloatBuffer) f.samples[0]);
                    }
                }
            } catch (Exception e) {
                if (count == 0) throw new MediaException(file, ProblemKind.CORRUPT, "decoding failed: " + e.getMessage(), e);
                throw new MediaException(file, ProblemKind.TRUNCATED, "decoding failed after " + count + " samples: " + e.getMessage(), e);
            }
            checkCoverage();
        }

        private void checkCoverage() throws MediaException {
            if (decodedFrames == 0) throw new MediaException(file, ProblemKind.CORRUPT, "no video frame could be decoded");
            double declared = g.getLengthInTime() / 1e6;
            double frameTime = g.getFrameRate() > 0 ? 1 / g.getFrameRate() : 0;
            boolean reachedEnd = !sampler.done() && !sampler.pastWindow(lastVideoTime);
            if (reachedEnd && declared > 0 && lastVideoTime + frameTime < Math.min(declared, o.end()) - TRUNCATION_SLACK_S) {
                throw new MediaException(file, ProblemKind.TRUNCATED, String.format(
                        "video stops at %.2f s but the file declares %.2f s", lastVideoTime + frameTime, declared));
            }
            if (count == 0) {
                throw new MediaException(file, ProblemKind.SHORT_CLIP, String.format(
                        "video ends at %.2f s, before the window [%.2f, %s) s", lastVideoTime + frameTime, o.start(), fmt(o.end())));
            }
            if (!Double.isInfinite(o.end()) && sampler.taken() < sampler.wanted()) {
                throw new MediaException(file, ProblemKind.SHORT_CLIP, String.format(
                        "video covers %.2f-%.2f s, window is [%.2f, %s) s (%d of %d samples)", o.start(),
                        lastVideoTime + frameTime, o.start(), fmt(o.end()), sampler.taken(), sampler.wanted()));
            }
        }

        private void keep(Frame f, double t, int copies) {
            nativeFrame = toRgb(f, nativeFrame);
            for (FrameView v : o.views()) {
                RgbImage img = Resize.toView(nativeFrame, v);
                List<RgbImage> list = views.get(v.name());
                for (int i = 0; i < copies; i++) list.add(img);
            }
            for (int i = 0; i < copies; i++) {
                if (count == times.length) times = Arrays.copyOf(times, count * 2);
                times[count++] = t;
            }
        }
    }

    /** RGB24 rows (with stride padding) to planar floats, reusing the destination when it fits. */
    static RgbImage toRgb(Frame f, RgbImage reuse) {
        int w = f.imageWidth, h = f.imageHeight, stride = f.imageStride;
        RgbImage out = reuse != null && reuse.width() == w && reuse.height() == h ? reuse : RgbImage.blank(w, h);
        ByteBuffer buf = (ByteBuffer) f.image[0];
        float[] p = out.planes();
        int plane = w * h;
        byte[] row = new byte[w * 3];
        for (int y = 0; y < h; y++) {
            buf.get(y * stride, row, 0, w * 3);
            int o = y * w;
            for (int x = 0; x < w; x++) {
                p[o + x] = row[3 * x] & 0xff;
                p[plane + o + x] = row[3 * x + 1] & 0xff;
                p[2 * plane + o + x] = row[3 * x + 2] & 0xff;
            }
        }
        return out;
    }

    private static String fmt(double end) {
        return Double.isInfinite(end) ? "end" : String.format("%.2f", end);
    }
}

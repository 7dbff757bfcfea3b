package dpvm.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Writes an H.264 (+ optional AAC mono) MP4 from RGB frames and float samples. The codec is requested
 * by id: by name ("h264"/"libx264") the LGPL build silently falls back to MPEG-4 part 2.
 */
public final class Mp4Writer implements AutoCloseable {
    private final FFmpegFrameRecorder rec;
    private final Frame frame;
    private final int width;
    private final int height;
    private final int audioRate;

    /**
     * @param audioRate  0 for a file without an audio track
     * @param faststart  put the index first, so a file cut short still plays up to the cut
     */
    public Mp4Writer(Path out, int width, int height, double fps, int audioRate, int videoBitrate, boolean faststart)
            throws MediaException {
        Ffmpeg.ensureLoaded();
        if (width % 2 != 0 || height % 2 != 0) throw new IllegalArgumentException("H.264 4:2:0 needs even sizes: " + width + "x" + height);
        this.width = width;
        this.height = height;
        this.audioRate = audioRate;
        rec = new FFmpegFrameRecorder(out.toFile(), width, height, audioRate > 0 ? 1 : 0);
        rec.setFormat("mp4");
        rec.setVideoCodec(AV_CODEC_ID_H264);
        rec.setPixelFormat(AV_PIX_FMT_YUV420P);
        rec.setFrameRate(fps);
        rec.setVideoBitrate(videoBitrate);
        rec.setGopSize((int) Math.round(fps * 2));
        rec.setVideoOption("threads", "1");
        if (faststart) rec.setOption("movflags", "+faststart");
        if (audioRate > 0) {
            rec.setAudioCodec(AV_CODEC_ID_AAC);
            rec.setSampleRate(audioRate);
            rec.setAudioChannels(1);
            rec.setAudioBitrate(96_000);
        }
        try {
            rec.start();
        } catch (Exception e) {
            throw new MediaException(out, ProblemKind.IO_ERROR, "cannot start encoder: " + e.getMessage(), e);
        }
        frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3);
    }

    /** One frame of interleaved RGB bytes, {@code 3*width*height} long, at the next frame slot. */
    public void writeFrame(byte[] rgb) throws MediaException {
        writeFrame(rgb, -1);
    }

    /**
     * A frame shown at {@code micros} from the file start (negative: the next slot). Timestamps keep
     * a re-encoded cut in sync when the source drops or repeats frames.
     */
    public void writeFrame(byte[] rgb, long micros) throws MediaException {
        if (rgb.length != 3 * width * height) throw new IllegalArgumentException("frame must be " + 3 * width * height + " bytes");
        ByteBuffer buf = (ByteBuffer) frame.image[0];
        int stride = frame.imageStride;
        for (int y = 0; y < height; y++) buf.put(y * stride, rgb, y * width * 3, width * 3);
        try {
            if (micros >= 0 && micros > rec.getTimestamp()) rec.setTimestamp(micros);
            rec.record(frame, AV_PIX_FMT_RGB24);
        } catch (Exception e) {
            throw new MediaException(null, ProblemKind.IO_ERROR, "encoding a frame failed: " + e.getMessage(), e);
        }
    }

    /** Mono samples in [-1, 1] at the rate given to the constructor. */
    public void writeAudio(float[] samples) throws MediaException {
        if (audioRate <= 0) throw new IllegalStateException("this file has no audio track");
        try {
            rec.recordSamples(audioRate, 1, FloatBuffer.wrap(samples));
        } catch (Exception e) {
            throw new MediaException(null, ProblemKind.IO_ERROR, "encoding audio failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws MediaException {
        try {
            rec.stop();
            rec.release();
        } catch (Exception e) {
            throw new MediaException(null, ProblemKind.IO_ERROR, "finishing the file failed: " + e.getMessage(), e);
        } finally {
            frame.close();
        }
    }
}

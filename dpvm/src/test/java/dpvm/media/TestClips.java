package dpvm.media;

import java.nio.file.Path;

/** Tiny generated clips for tests: cheap to encode, with content a test can read back. */
public final class TestClips {
    private TestClips() {}

    /** Grey level of frame n: 4n (wrapping every 64 frames), far enough apart to survive H.264 and 4:2:0 round trips. */
    public static int counterLevel(int n) {
        return (4 * n) & 0xff;
    }

    /** Frame n is a flat grey of {@link #counterLevel}(n); audio (if any) is a 440 Hz tone. */
    public static Path counterClip(Path out, int width, int height, double fps, int frames, int audioRate, boolean faststart)
            throws MediaException {
        try (Mp4Writer w = new Mp4Writer(out, width, height, fps, audioRate, 4_000_000, faststart)) {
            byte[] rgb = new byte[3 * width * height];
            int perFrame = audioRate > 0 ? (int) Math.round(audioRate / fps) : 0;
            long sample = 0;
            for (int n = 0; n < frames; n++) {
                java.util.Arrays.fill(rgb, (byte) counterLevel(n));
                w.writeFrame(rgb);
                if (audioRate > 0) {
                    float[] a = new float[perFrame];
                    for (int i = 0; i < perFrame; i++, sample++) a[i] = 0.3f * (float) Math.sin(2 * Math.PI * 440 * sample / audioRate);
                    w.writeAudio(a);
                }
            }
        }
        return out;
    }

    /** A moving gradient: a clip with texture, for speed measurements and geometry checks. */
    static Path gradientClip(Path out, int width, int height, double fps, int frames, int audioRate) throws MediaException {
        try (Mp4Writer w = new Mp4Writer(out, width, height, fps, audioRate, 2_000_000, false)) {
            byte[] rgb = new byte[3 * width * height];
            int perFrame = audioRate > 0 ? (int) Math.round(audioRate / fps) : 0;
            for (int n = 0; n < frames; n++) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int i = 3 * (y * width + x);
                        rgb[i] = (byte) ((x + 3 * n) & 0xff);
                        rgb[i + 1] = (byte) ((y + 2 * n) & 0xff);
                        rgb[i + 2] = (byte) (((x ^ y) + n) & 0xff);
                    }
                }
                w.writeFrame(rgb);
                if (audioRate > 0) w.writeAudio(new float[perFrame]);
            }
        }
        return out;
    }
}

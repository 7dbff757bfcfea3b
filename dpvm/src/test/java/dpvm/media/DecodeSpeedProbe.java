package dpvm.media;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Throwaway speed probe (not a test): real-time factor of decode + 6 fps sampling + view resizing on
 * one thread, for generated 320x240 and 1280x720 H.264 clips. Run with
 * {@code java -cp <test classpath> dpvm.media.DecodeSpeedProbe [seconds]}.
 */
public final class DecodeSpeedProbe {
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 15;
        Path dir = Files.createTempDirectory("speed");
        for (int[] size : new int[][] {{320, 240}, {1280, 720}}) {
            int frames = (int) Math.round(seconds * 24);
            Path clip = TestClips.gradientClip(dir.resolve(size[0] + "x" + size[1] + ".mp4"), size[0], size[1], 24, frames, 22050);
            for (String what : List.of("decode+sample", "decode+sample+views+audio")) {
                DecodeOptions o = what.endsWith("audio") ? DecodeOptions.defaults()
                        : DecodeOptions.defaults().views(List.of()).audioRates(List.of());
                if (!what.endsWith("audio")) o = o.views(List.of(FrameView.RESNET3D));
                VideoDecoder.decode(clip, o); // warm-up
                int reps = size[0] < 400 ? 5 : 2;
                // Thread CPU time, not wall time: the machine is shared, and FFmpeg decodes on this thread.
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                long w0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
                DecodedClip c = null;
                for (int r = 0; r < reps; r++) c = VideoDecoder.decode(clip, o);
                double wall = (System.nanoTime() - w0) / 1e9 / reps;
                double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9 / reps;
                System.out.printf("%dx%d %-26s %.0f s clip: cpu %.3f s -> %.1fx real time per core (wall %.3f s, %d samples)%n",
                        size[0], size[1], what, seconds, cpu, seconds / cpu, wall, c.frameCount());
            }
        }
    }
}

package dpvm.cli;

import dpvm.features.Backbones;
import dpvm.features.Extraction;
import dpvm.media.Batch;
import dpvm.media.Normalization;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dpvm extract}: run the four backbones over a data set and cache per-clip features. */
@Command(name = "extract", mixinStandardHelpOptions = true,
        description = {"Runs the DPVM backbones over a data set folder (from 'dpvm synth' or 'dpvm import --movies') and caches",
                "per-clip video and music features as safetensors under OUT/video and OUT/music. Resumable: cached clips are skipped."})
public final class ExtractCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "data set folder with dataset.csv, clips/ and music/")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "feature cache folder")
    Path out;

    @Option(names = "--preset", defaultValue = "PAPER", description = "backbone sizes: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    Backbones.Preset preset;

    @Option(names = "--weights", paramLabel = "DIR", description = "folder with video_content, video_emotion, music_content, music_emotion "
            + "weights (.safetensors/.pth); without it the backbones are untrained (seeded)")
    Path weights;

    @Option(names = "--video-norm", defaultValue = "RESNET3D_ACTIVITYNET", description = "3D ResNet input scaling: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    Normalization videoNorm;

    @Option(names = "--seed", defaultValue = "1", description = "seed of untrained backbones (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "files decoded in parallel (default: cores)")
    Integer threads;

    @Override
    public Integer call() {
        Extraction.Options o = new Extraction.Options(data, out, preset, weights, seed, threads == null ? Batch.defaultThreads() : threads, videoNorm);
        ProgressBar[] bar = new ProgressBar[1];
        long t0 = System.nanoTime();
        Extraction.Summary s;
        try {
            s = Extraction.run(o, new Extraction.Progress() {
                @Override
                public void start(int total, int alreadyDone) {
                    bar[0] = new ProgressBarBuilder().setTaskName("extract").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                            .setUnit(" clips", 1).showSpeed().continuousUpdate().build();
                    bar[0].stepTo(alreadyDone);
                }

                @Override
                public void done(String id, boolean ok) {
                    bar[0].step();
                }
            }, System.err);
        } finally {
            if (bar[0] != null) bar[0].close();
        }
        System.out.printf("%s%nin %.1f s -> %s%n", s.describe(), (System.nanoTime() - t0) / 1e9, out.toAbsolutePath());
        return s.skipped().isEmpty() ? 0 : 1;
    }
}

package dpvm.cli;

import dpvm.data.synth.SyntheticMved;
import dpvm.media.Batch;
import dpvm.media.BatchResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dpvm synth}: write the synthetic MVED-like data set. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Writes a synthetic MVED-like data set: H.264/AAC clips, WAV music and an MVED-schema manifest.")
public final class SynthCommand implements Callable<Integer> {
    @Option(names = "--pairs", required = true, description = "number of video-music pairs")
    int pairs;

    @Option(names = "--seed", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--seconds", defaultValue = "15", description = "clip length (default ${DEFAULT-VALUE}, like MVED)")
    double seconds;

    @Option(names = "--width", defaultValue = "320", description = "frame width (default ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--height", defaultValue = "240", description = "frame height (default ${DEFAULT-VALUE})")
    int height;

    @Option(names = "--noise", defaultValue = "0.3", description = "0..1: pixel/audio noise and disagreement between the two sides (default ${DEFAULT-VALUE})")
    double noise;

    @Option(names = "--distractors", defaultValue = "0.2", description = "0..1: share of clips and pieces with an unrelated object/sound (default ${DEFAULT-VALUE})")
    double distractors;

    @Option(names = "--threads", description = "pairs written in parallel (default: cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (pairs < 1) {
            System.err.println("--pairs must be at least 1");
            return 2;
        }
        if (noise < 0 || noise > 1 || distractors < 0 || distractors > 1) {
            System.err.println("--noise and --distractors are between 0 and 1");
            return 2;
        }
        if (width < 16 || height < 16 || width % 2 != 0 || height % 2 != 0) {
            System.err.println("--width and --height must be even and at least 16 (H.264 4:2:0)");
            return 2;
        }
        SyntheticMved.Options o = new SyntheticMved.Options(pairs, seed, seconds, width, height, 24, noise, distractors,
                threads == null ? Batch.defaultThreads() : threads);
        long t0 = System.nanoTime();
        BatchResult<?> r = SyntheticMved.generate(o, out, System.out);
        System.out.printf("%s in %.1f s -> %s%n", r.summary(), (System.nanoTime() - t0) / 1e9, out.toAbsolutePath());
        System.out.printf("chance level on a gallery of N pieces: Recall@K = K/N (e.g. %.2f%% for R@1 over all %d)%n", 100.0 / pairs, pairs);
        return r.failed() == 0 ? 0 : 1;
    }
}

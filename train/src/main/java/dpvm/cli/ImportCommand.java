package dpvm.cli;

import dpvm.data.MvedImport;
import dpvm.media.Batch;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dpvm import}: validate an MVED manifest and, given the movies, cut the data set from them. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Reads an MVED manifest (.xlsx or .csv), normalises it and reports every unusable row.",
                "Without --movies it only validates; with --movies it also cuts each clip (H.264/AAC) and its music (WAV)."})
public final class ImportCommand implements Callable<Integer> {
    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "manifest .xlsx or .csv")
    Path manifest;

    @Option(names = "--movies", paramLabel = "DIR", description = "folder with the movie files (matched by movie number or title)")
    Path movies;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the 7:3 split and the music pairing (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "clips cut in parallel (default: cores)")
    Integer threads;

    @Option(names = "--max-short-side", defaultValue = "480", paramLabel = "PX",
            description = "scale cut clips down to this short side, 0 keeps the size (default ${DEFAULT-VALUE})")
    int maxShortSide;

    @Option(names = {"-v", "--verbose"}, description = "also list every normalisation applied to usable rows")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        int n = threads == null ? Batch.defaultThreads() : threads;
        MvedImport.Result r;
        try {
            r = MvedImport.run(new MvedImport.Options(manifest, movies, out, seed, n, maxShortSide), System.out);
        } catch (java.nio.file.NoSuchFileException e) {
            System.err.println("cannot import: " + e.getFile() + " does not exist");
            return 2;
        } catch (java.io.IOException e) {
            System.err.println("cannot import " + manifest + ": " + e.getMessage());
            return 2;
        }
        System.out.print(r.manifest().report());
        if (verbose) r.manifest().notes().forEach(note -> System.out.println("  normalised " + note));
        long train = r.split().values().stream().filter(s -> s == dpvm.data.Split.Side.TRAIN).count();
        System.out.printf("split (seed %d): %d train, %d test clips, by movie%n", seed, train, r.split().size() - train);
        System.out.printf("related music: %d video-music pairs%n", r.pairs().size());
        if (movies != null) {
            System.out.printf("cut: %d of %d clips present in %s%n", r.cut().size(), r.manifest().rows().size(), out.resolve("clips"));
            long failed = r.problems().size() - r.manifest().rejected().size();
            if (failed > 0) {
                System.out.println("clips not cut:");
                r.problems().stream().skip(r.manifest().rejected().size()).forEach(p -> System.out.println("  " + p));
            }
        }
        System.out.println("normalised manifest: " + out.resolve("manifest.csv"));
        return r.manifest().rows().isEmpty() ? 1 : 0;
    }
}

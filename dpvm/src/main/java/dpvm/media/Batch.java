package dpvm.media;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs one media job per item on a fixed pool. A failing item becomes a {@link MediaProblem} and the
 * others go on; finished results are handed to the sink as soon as they exist, so a crash later in the
 * batch cannot take them back.
 */
public final class Batch {
    private Batch() {}

    /** The job for one item; a {@link MediaException} is the expected way to fail. */
    @FunctionalInterface
    public interface Job<T, R> {
        R run(T item) throws MediaException;
    }

    /** Called on the submitting thread, in completion order, once per finished item. */
    @FunctionalInterface
    public interface Sink<T, R> {
        void accept(T item, R result, List<MediaProblem> warnings);
    }

    /** Threads for a pool that shares the machine: the cores, at least one. */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public static <T, R> BatchResult<R> run(List<T> items, int threads, Job<T, R> job, Function<T, Path> nameOf,
                                            Function<R, List<MediaProblem>> warningsOf, Sink<T, R> sink, boolean keep) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, Math.max(1, items.size()))), r -> {
            Thread t = new Thread(r, "media-" + COUNTER.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            ExecutorCompletionService<Outcome<R>> done = new ExecutorCompletionService<>(pool);
            for (int i = 0; i < items.size(); i++) {
                int index = i;
                T item = items.get(i);
                done.submit(() -> attempt(index, item, job, nameOf));
            }
            List<R> results = new ArrayList<>(Collections.nCopies(items.size(), null));
            List<MediaProblem> problems = new ArrayList<>();
            MediaProblem[][] byIndex = new MediaProblem[items.size()][];
            int ok = 0, bad = 0;
            for (int i = 0; i < items.size(); i++) {
                Outcome<R> out = take(done);
                if (out.problem != null) {
                    bad++;
                    byIndex[out.index] = new MediaProblem[] {out.problem};
                    continue;
                }
                ok++;
                List<MediaProblem> warnings = warningsOf == null ? List.of() : warningsOf.apply(out.result);
                byIndex[out.index] = warnings.toArray(new MediaProblem[0]);
                if (keep) results.set(out.index, out.result);
                if (sink != null) sink.accept(items.get(out.index), out.result, warnings);
            }
            for (MediaProblem[] ps : byIndex) if (ps != null) Collections.addAll(problems, ps);
            return new BatchResult<>(keep ? Collections.unmodifiableList(results) : List.of(), List.copyOf(problems), ok, bad);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Decodes every file with {@link VideoDecoder}, {@code threads} files at a time, keeping the clips. */
    public static BatchResult<DecodedClip> decodeAll(List<Path> files, DecodeOptions o, int threads) {
        return run(files, threads, f -> VideoDecoder.decode(f, o), f -> f, DecodedClip::warnings, null, true);
    }

    /** Decodes every file and streams each clip to {@code sink} without holding them all in memory. */
    public static BatchResult<DecodedClip> decodeEach(List<Path> files, DecodeOptions o, int threads,
                                                      Sink<Path, DecodedClip> sink) {
        return run(files, threads, f -> VideoDecoder.decode(f, o), f -> f, DecodedClip::warnings, sink, false);
    }

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private record Outcome<R>(int index, R result, MediaProblem problem) {}

    private static <T, R> Outcome<R> attempt(int index, T item, Job<T, R> job, Function<T, Path> nameOf) {
        try {
            return new Outcome<>(index, job.run(item), null);
        } catch (MediaException e) {
            return new Outcome<>(index, null, e.problem());
        } catch (Throwable e) {
            // Anything else (a bug, a native library failing to load, memory) still costs only this item.
            return new Outcome<>(index, null, new MediaProblem(nameOf.apply(item), ProblemKind.INTERNAL, e.toString(), true));
        }
    }

    private static <R> Outcome<R> take(ExecutorCompletionService<Outcome<R>> done) {
        try {
            Future<Outcome<R>> f = done.take();
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for media jobs", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("media job escaped its error handling", e.getCause());
        }
    }
}

package dpvm.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * The CPU backend's one fixed thread pool. Work is split into ranges of indices; each index is computed by
 * exactly one task with the same arithmetic whatever the split, so results never depend on the thread count.
 * Set {@code -Ddpvm.threads=N} to choose the pool size (default: every core).
 */
public final class Parallel {
    /** A body over the half-open index range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final int THREADS = Integer.getInteger("dpvm.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, THREADS));

    private Parallel() {}

    public static int threads() {
        return POOL.getParallelism();
    }

    /**
     * Runs {@code body} over [0, n) in chunks of at least {@code grain} indices, in parallel when that pays.
     * Calls from inside a pool task run inline, so nested parallel loops never deadlock.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int g = Math.max(1, grain);
        int chunks = Math.min(threads() * 4, (n + g - 1) / g);
        if (chunks <= 1 || threads() == 1 || inPool()) {
            body.run(0, n);
            return;
        }
        int step = (n + chunks - 1) / chunks;
        RecursiveAction[] tasks = new RecursiveAction[(n + step - 1) / step];
        for (int c = 0; c < tasks.length; c++) {
            final int from = c * step, to = Math.min(n, from + step);
            tasks[c] = new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(from, to);
                }
            };
        }
        POOL.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                invokeAll(tasks);
            }
        });
    }

    /**
     * Runs body as one pool task, so every parallel loop inside it runs inline on a single thread: the same
     * work with one thread, for checking that results do not depend on the thread count.
     */
    public static <T> T serially(java.util.function.Supplier<T> body) {
        return POOL.submit(body::get).join();
    }

    private static boolean inPool() {
        return Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == POOL;
    }
}

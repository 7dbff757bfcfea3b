package dpvm.tensor.cpu;

/**
 * Cache-blocked scalar GEMM shared by float (the fallback without the Vector API) and double (the reference for
 * gradient checks). Both element types are packed into double tiles, so the arithmetic is written once and the
 * float fallback accumulates in double. Each C element sums over K in one fixed order, whatever the threads.
 */
final class ScalarGemm {
    private static final int MB = 32;
    private static final int NB = 256;
    private static final int KB = 256;

    /** Copies a rows x cols block of op(X), starting at (row0, col0), into {@code dst} row-major. */
    private interface Packer {
        void pack(int row0, int rows, int col0, int cols, double[] dst);
    }

    /** Writes {@code alpha * acc + beta * C} for a rows x cols block of C at (row0, col0); beta 0 never reads C. */
    private interface Sink {
        void store(int row0, int rows, int col0, int cols, double[] acc);
    }

    static final Gemm.FloatGemm FLOAT = new Gemm.FloatGemm() {
        @Override
        public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                          int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
            ScalarGemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }

        @Override
        public String name() {
            return "scalar";
        }
    };

    private ScalarGemm() {}

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                      int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        Sink sink = (row0, rows, col0, cols, acc) -> {
            for (int i = 0; i < rows; i++) {
                int ci = cOff + (row0 + i) * ldc + col0;
                for (int j = 0; j < cols; j++) {
                    double v = alpha * acc[i * cols + j];
                    c[ci + j] = (float) (beta == 0f ? v : v + (double) beta * c[ci + j]);
                }
            }
        };
        run(m, n, k, packer(a, aOff, lda, transA), packer(b, bOff, ldb, transB), sink);
    }

    static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOff,
                      int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        Sink sink = (row0, rows, col0, cols, acc) -> {
            for (int i = 0; i < rows; i++) {
                int ci = cOff + (row0 + i) * ldc + col0;
                for (int j = 0; j < cols; j++) {
                    double v = alpha * acc[i * cols + j];
                    c[ci + j] = beta == 0d ? v : v + beta * c[ci + j];
                }
            }
        };
        run(m, n, k, packer(a, aOff, lda, transA), packer(b, bOff, ldb, transB), sink);
    }

    private static Packer packer(float[] x, int off, int ld, boolean trans) {
        return (row0, rows, col0, cols, dst) -> {
            for (int r = 0; r < rows; r++) {
                for (int q = 0; q < cols; q++) {
                    int i = row0 + r, j = col0 + q;
                    dst[r * cols + q] = trans ? x[off + j * ld + i] : x[off + i * ld + j];
                }
            }
        };
    }

    private static Packer packer(double[] x, int off, int ld, boolean trans) {
        return (row0, rows, col0, cols, dst) -> {
            for (int r = 0; r < rows; r++) {
                for (int q = 0; q < cols; q++) {
                    int i = row0 + r, j = col0 + q;
                    dst[r * cols + q] = trans ? x[off + j * ld + i] : x[off + i * ld + j];
                }
            }
        };
    }

    /** Tiles C into MB x NB blocks, one task each; a block accumulates all of K before touching C. */
    private static void run(int m, int n, int k, Packer opA, Packer opB, Sink sink) {
        int mTiles = (m + MB - 1) / MB, nTiles = (n + NB - 1) / NB;
        Parallel.RangeBody body = (from, to) -> {
            double[] pa = new double[MB * KB], pb = new double[KB * NB], acc = new double[MB * NB];
            for (int t = from; t < to; t++) {
                int i0 = (t / nTiles) * MB, j0 = (t % nTiles) * NB;
                int rows = Math.min(MB, m - i0), cols = Math.min(NB, n - j0);
                java.util.Arrays.fill(acc, 0, rows * cols, 0d);
                for (int p0 = 0; p0 < k; p0 += KB) {
                    int kb = Math.min(KB, k - p0);
                    opA.pack(i0, rows, p0, kb, pa);
                    opB.pack(p0, kb, j0, cols, pb);
                    multiplyAdd(rows, cols, kb, pa, pb, acc);
                }
                sink.store(i0, rows, j0, cols, acc);
            }
        };
        if ((long) m * n * k < (1 << 16)) body.run(0, mTiles * nTiles);
        else Parallel.forRange(mTiles * nTiles, 1, body);
    }

    private static void multiplyAdd(int rows, int cols, int kb, double[] pa, double[] pb, double[] acc) {
        for (int i = 0; i < rows; i++) {
            int ci = i * cols;
            for (int p = 0; p < kb; p++) {
                double aip = pa[i * kb + p];
                int bp = p * cols;
                for (int j = 0; j < cols; j++) acc[ci + j] += aip * pb[bp + j];
            }
        }
    }
}

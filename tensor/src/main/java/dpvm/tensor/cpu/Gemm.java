package dpvm.tensor.cpu;

import java.util.Arrays;

/**
 * Row-major GEMM: {@code C = alpha * op(A) * op(B) + beta * C}, where op(X) is X or its transpose.
 *
 * <p>Untransposed A is M x K at {@code a[aOff + i*lda + p]}; with {@code transA} it is stored K x M at
 * {@code a[aOff + p*lda + i]}. B is K x N (or N x K with {@code transB}); C is M x N with {@code ldc}.
 * With {@code beta == 0} C is overwritten without being read, so it may hold NaN garbage; {@code alpha == 0} or
 * {@code k == 0} only scales C. C must not overlap A or B. Results are bit-identical for any thread count.
 *
 * <p>The float kernel uses the JDK Vector API when {@code jdk.incubator.vector} is present and falls back to a
 * scalar kernel otherwise ({@code -Ddpvm.gemm=scalar} forces the fallback). The double version is the simple,
 * cache-blocked scalar kernel: it exists for gradient checks.
 */
public final class Gemm {
    /** One float GEMM implementation; arguments arrive already validated and non-degenerate. */
    interface FloatGemm {
        void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                   float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

        String name();
    }

    private static final FloatGemm FLOAT = select();

    private Gemm() {}

    /**
     * The Vector API class is loaded by name so that this class never links against jdk.incubator.vector: a JVM
     * started without {@code --add-modules} then fails only that load, which lands on the scalar kernel.
     */
    private static FloatGemm select() {
        if (!"scalar".equalsIgnoreCase(System.getProperty("dpvm.gemm", ""))) {
            try {
                return (FloatGemm) Class.forName("dpvm.tensor.cpu.VectorSgemm").getDeclaredConstructor().newInstance();
            } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
                // No usable Vector API here: the scalar kernel is always correct.
            }
        }
        return ScalarGemm.FLOAT;
    }

    /** Which float kernel is active, e.g. {@code "vector-512bit 6x32"} or {@code "scalar"}. */
    public static String kernelName() {
        return FLOAT.name();
    }

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                             int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        checkArgs(transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                if (beta == 0f) Arrays.fill(c, row, row + n, 0f);
                else for (int j = row; j < row + n; j++) c[j] *= beta;
            }
            return;
        }
        FLOAT.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOff,
                             int lda, double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        checkArgs(transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0d) {
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                if (beta == 0d) Arrays.fill(c, row, row + n, 0d);
                else for (int j = row; j < row + n; j++) c[j] *= beta;
            }
            return;
        }
        ScalarGemm.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    static void checkArgs(boolean transA, boolean transB, int m, int n, int k, int aLen, int aOff, int lda,
                          int bLen, int bOff, int ldb, int cLen, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size m=" + m + " n=" + n + " k=" + k);
        }
        checkMatrix("A", transA ? k : m, transA ? m : k, aLen, aOff, lda);
        checkMatrix("B", transB ? n : k, transB ? k : n, bLen, bOff, ldb);
        checkMatrix("C", m, n, cLen, cOff, ldc);
    }

    private static void checkMatrix(String name, int rows, int cols, int len, int off, int ld) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("ld" + name.toLowerCase() + "=" + ld + " < " + cols + " columns");
        }
        if (off < 0) throw new IllegalArgumentException(name + " offset " + off + " is negative");
        if (rows == 0 || cols == 0) return;
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (last >= len) {
            throw new IllegalArgumentException(name + " (" + rows + "x" + cols + ", offset " + off + ", ld " + ld
                    + ") needs " + (last + 1) + " elements but the array has " + len);
        }
    }
}

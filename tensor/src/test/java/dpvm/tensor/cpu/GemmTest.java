package dpvm.tensor.cpu;

import static dpvm.tensor.cpu.TestArrays.random;
import static dpvm.tensor.cpu.TestArrays.toFloat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GemmTest {
    /** One GEMM problem with padded leading dimensions and offsets, A and B filled, C filled with {@code c0}. */
    private static final class Case {
        final boolean ta, tb;
        final int m, n, k, lda, ldb, ldc, aOff, bOff, cOff;
        final double[] a, b, c;

        Case(Random rnd, boolean ta, boolean tb, int m, int n, int k, int pad, double c0) {
            this.ta = ta;
            this.tb = tb;
            this.m = m;
            this.n = n;
            this.k = k;
            lda = (ta ? m : k) + pad;
            ldb = (tb ? k : n) + pad;
            ldc = n + pad;
            aOff = pad * 3;
            bOff = pad * 5;
            cOff = pad * 7;
            a = random(rnd, aOff + (ta ? k : m) * lda);
            b = random(rnd, bOff + (tb ? n : k) * ldb);
            c = new double[cOff + m * ldc];
            Arrays.fill(c, c0);
        }

        double opA(int i, int p) {
            return ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        }

        double opB(int p, int j) {
            return tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        }

        /** Naive reference in double and the matching scale sum |alpha| * sum |a||b| + |beta||c| for tolerances. */
        double[][] reference(double alpha, double beta) {
            double[] want = c.clone(), scale = new double[c.length];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0, mag = 0;
                    for (int p = 0; p < k; p++) {
                        s += opA(i, p) * opB(p, j);
                        mag += Math.abs(opA(i, p) * opB(p, j));
                    }
                    int at = cOff + i * ldc + j;
                    want[at] = alpha * s + (beta == 0 ? 0 : beta * c[at]);
                    scale[at] = Math.abs(alpha) * mag + (beta == 0 ? 0 : Math.abs(beta * c[at])) + 1e-30;
                }
            }
            return new double[][] {want, scale};
        }

        float[] cf() {
            return toFloat(c);
        }

        void sgemm(float alpha, float beta, float[] cf) {
            Gemm.sgemm(ta, tb, m, n, k, alpha, toFloat(a), aOff, lda, toFloat(b), bOff, ldb, beta, cf, cOff, ldc);
        }

        void scalar(float alpha, float beta, float[] cf) {
            ScalarGemm.sgemm(ta, tb, m, n, k, alpha, toFloat(a), aOff, lda, toFloat(b), bOff, ldb, beta, cf, cOff,
                    ldc);
        }

        @Override
        public String toString() {
            return (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k + " ld+" + (ldc - n);
        }
    }

    private static void assertClose(double[][] want, float[] got, double tol, String what) {
        for (int i = 0; i < got.length; i++) {
            if (Double.isNaN(want[0][i]) && Float.isNaN(got[i])) continue;
            double err = Math.abs(got[i] - want[0][i]);
            if (!(err <= tol * Math.max(want[1][i], Math.abs(want[0][i])))) {
                fail(what + ": element " + i + " is " + got[i] + ", want " + want[0][i]);
            }
        }
    }

    private static final int[] SIZES = {1, 2, 3, 5, 6, 7, 13, 16, 17, 31, 32, 33, 47, 64, 67};

    @Test
    void allTransposesAndOddSizesMatchNaiveReference() {
        Random rnd = new Random(1);
        for (int combo = 0; combo < 4; combo++) {
            for (int trial = 0; trial < 40; trial++) {
                int m = SIZES[rnd.nextInt(SIZES.length)], n = SIZES[rnd.nextInt(SIZES.length)];
                int k = SIZES[rnd.nextInt(SIZES.length)], pad = rnd.nextInt(4) * 3;
                Case cs = new Case(rnd, (combo & 1) != 0, (combo & 2) != 0, m, n, k, pad, Double.NaN);
                float[] c = cs.cf();
                cs.sgemm(1f, 0f, c);
                assertClose(cs.reference(1, 0), padNaNsKept(c, cs), 1e-5, cs.toString());
            }
        }
    }

    /** Checks that C outside the M x N window (padding, offset) still holds its NaN and returns C with those zeroed. */
    private static float[] padNaNsKept(float[] c, Case cs) {
        float[] inside = c.clone();
        for (int i = 0; i < c.length; i++) {
            int rel = i - cs.cOff;
            boolean in = rel >= 0 && rel / cs.ldc < cs.m && rel % cs.ldc < cs.n;
            if (!in) {
                assertTrue(Float.isNaN(c[i]), cs + ": C outside the matrix was written at " + i);
                inside[i] = Float.NaN;
            }
        }
        return inside;
    }

    @Test
    void alphaAndBetaScaleTheProductAndOldC() {
        Random rnd = new Random(2);
        for (int combo = 0; combo < 4; combo++) {
            Case cs = new Case(rnd, (combo & 1) != 0, (combo & 2) != 0, 19, 45, 300, 2, 0);
            for (int i = 0; i < cs.c.length; i++) cs.c[i] = (float) (rnd.nextDouble() - 0.5);
            float[] c = cs.cf();
            cs.sgemm(-0.75f, 1.5f, c);
            assertClose(cs.reference(-0.75, 1.5), c, 1e-5, cs.toString());
        }
    }

    @Test
    void betaZeroOverwritesNaNButNonZeroBetaPropagatesIt() {
        Random rnd = new Random(3);
        // Several K blocks (k > 256) on the packed, in-place-B and dot-product paths.
        int[][] shapes = {{8, 40, 5, 0}, {100, 70, 600, 0}, {16, 96, 600, 0}, {16, 50, 600, 1}, {30, 50, 300, 1}};
        for (int[] s : shapes) {
            Case cs = new Case(rnd, false, s[3] == 1, s[0], s[1], s[2], 0, Double.NaN);
            float[] c = cs.cf();
            cs.sgemm(1f, 0f, c);
            assertClose(cs.reference(1, 0), c, 1e-5, cs.toString());
            for (float v : c) assertTrue(Float.isFinite(v), cs.toString());
            float[] c2 = cs.cf();
            cs.sgemm(1f, 1f, c2);
            for (float v : c2) assertTrue(Float.isNaN(v), cs.toString());
        }
    }

    @Test
    void emptyKScalesCAndZeroSizesTouchNothing() {
        float[] c = {1, 2, 3, Float.NaN};
        Gemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 2f, c, 0, 2);
        assertEquals(2f, c[0]);
        assertEquals(6f, c[2]);
        Gemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[4], c);
        float[] d = {7};
        Gemm.sgemm(false, false, 0, 1, 3, 1f, new float[0], 0, 3, new float[3], 0, 1, 0f, d, 0, 1);
        assertEquals(7f, d[0]);
    }

    @Test
    void handComputedProduct() {
        // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]; with transA the stored A is read as [1 3; 2 4].
        float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, c = new float[4];
        Gemm.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[] {19, 22, 43, 50}, c);
        Gemm.sgemm(true, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[] {26, 30, 38, 44}, c);
        double[] cd = new double[4];
        Gemm.dgemm(false, true, 2, 2, 2, 2.0, new double[] {1, 2, 3, 4}, 0, 2, new double[] {5, 6, 7, 8}, 0, 2, 0,
                cd, 0, 2);
        assertArrayEquals(new double[] {34, 46, 78, 106}, cd);
    }

    @Test
    void vectorAndScalarKernelsAgree() {
        Random rnd = new Random(4);
        int[][] shapes = {{16, 300, 200}, {100, 70, 129}, {6, 32, 1}, {61, 33, 257}, {16, 1024, 96}};
        for (int[] s : shapes) {
            for (int combo = 0; combo < 4; combo++) {
                Case cs = new Case(rnd, (combo & 1) != 0, (combo & 2) != 0, s[0], s[1], s[2], 1, 0.5);
                float[] v = cs.cf(), sc = cs.cf();
                cs.sgemm(1.25f, 0.5f, v);
                cs.scalar(1.25f, 0.5f, sc);
                double[][] ref = cs.reference(1.25, 0.5);
                assertClose(ref, v, 1e-5, "active kernel " + cs);
                assertClose(ref, sc, 1e-6, "scalar kernel " + cs);
                for (int i = 0; i < v.length; i++) {
                    assertTrue(Math.abs(v[i] - sc[i]) <= 1e-5 * ref[1][i], cs + " differs at " + i);
                }
            }
        }
    }

    @Test
    void resultIsBitIdenticalWhenRunSerially() {
        // A call made from inside a pool task runs inline on one thread (see Parallel.forRange).
        Random rnd = new Random(5);
        // The last entry says transB; the shapes cover wide C, skinny A with B read in place, and row bands.
        int[][] shapes = {{300, 400, 600, 1}, {16, 2048, 520, 0}, {250, 40, 300, 0}, {12, 1000, 700, 1}};
        for (int[] s : shapes) {
            boolean tb = s[3] == 1;
            Case cs = new Case(rnd, false, tb, s[0], s[1], s[2], 0, 0);
            float[] a = toFloat(cs.a), b = toFloat(cs.b), par = cs.cf(), ser = cs.cf();
            Gemm.sgemm(false, tb, cs.m, cs.n, cs.k, 1f, a, 0, cs.lda, b, 0, cs.ldb, 0f, par, 0, cs.ldc);
            Parallel.forRange(2, 1, (from, to) -> {
                if (from == 0) {
                    Gemm.sgemm(false, tb, cs.m, cs.n, cs.k, 1f, a, 0, cs.lda, b, 0, cs.ldb, 0f, ser, 0, cs.ldc);
                }
            });
            assertArrayEquals(ser, par, cs.toString());
        }
    }

    @Test
    void dgemmMatchesNaiveReference() {
        Random rnd = new Random(6);
        for (int combo = 0; combo < 4; combo++) {
            for (int trial = 0; trial < 10; trial++) {
                int m = SIZES[rnd.nextInt(SIZES.length)], n = SIZES[rnd.nextInt(SIZES.length)];
                int k = SIZES[rnd.nextInt(SIZES.length)] * (trial == 0 ? 9 : 1);
                Case cs = new Case(rnd, (combo & 1) != 0, (combo & 2) != 0, m, n, k, trial % 3, 0.25);
                double[] c = cs.c.clone();
                Gemm.dgemm(cs.ta, cs.tb, m, n, k, 0.5, cs.a, cs.aOff, cs.lda, cs.b, cs.bOff, cs.ldb, -2, c, cs.cOff,
                        cs.ldc);
                double[][] ref = cs.reference(0.5, -2);
                for (int i = 0; i < c.length; i++) assertEquals(ref[0][i], c[i], 1e-13 * ref[1][i], cs.toString());
            }
        }
    }

    @Test
    void rejectsArraysTooSmallForTheShape() {
        float[] a = new float[6], b = new float[6], c = new float[4];
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 1, 3, b, 0, 2, 0f, c, 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 1));
    }

    @Test
    void activeKernelMatchesTheRuntime() {
        boolean vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertEquals(vectorModule, Gemm.kernelName().startsWith("vector"), Gemm.kernelName());
    }

    /** Entry point of the child JVM in {@link #fallsBackToScalarWithoutTheVectorModule}. */
    static final class NoVectorProbe {
        public static void main(String[] args) {
            float[] c = new float[4];
            Gemm.sgemm(false, false, 2, 2, 2, 1f, new float[] {1, 2, 3, 4}, 0, 2, new float[] {5, 6, 7, 8}, 0, 2, 0f,
                    c, 0, 2);
            System.out.print(Gemm.kernelName() + " " + Arrays.toString(c));
        }
    }

    @Test
    void fallsBackToScalarWithoutTheVectorModule() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NoVectorProbe.class.getName()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertEquals("scalar [19.0, 22.0, 43.0, 50.0]", out, err);
    }
}

package dpvm.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C = alpha * A * B^T + beta * C} for an A of few rows (the {@code dX = dY W^T} of a small batch). Rows of A
 * and of the stored B are both contiguous in K, so every C element is a dot product of two rows and nothing is
 * packed: transposing B into panels would cost as much as the product. A 4 x 3 register tile of lane-wise sums
 * runs over all of K, then each sum is reduced across lanes and finished with a scalar tail. Tiles past the edge
 * repeat the last row, so each element runs the same arithmetic wherever its tile falls.
 */
final class VectorDotSgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    private static final int RA = 4;
    private static final int RB = 3;

    private VectorDotSgemm() {}

    static void sgemm(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        int jTiles = (n + RB - 1) / RB;
        // B row triples go to tasks: each triple stays in L1 while every row quad of A streams past it.
        Parallel.RangeBody body = (from, to) -> {
            float[] dots = new float[RA * RB];
            for (int jt = from; jt < to; jt++) {
                int j0 = jt * RB;
                for (int i0 = 0; i0 < m; i0 += RA) {
                    tile(k, a, aOff, lda, m, i0, b, bOff, ldb, n, j0, dots);
                    for (int r = 0; r < RA && i0 + r < m; r++) {
                        for (int q = 0; q < RB && j0 + q < n; q++) {
                            int at = cOff + (i0 + r) * ldc + j0 + q;
                            float v = alpha * dots[r * RB + q];
                            c[at] = beta == 0f ? v : c[at] * beta + v;
                        }
                    }
                }
            }
        };
        if ((long) m * n * k < (1 << 15)) body.run(0, jTiles);
        else Parallel.forRange(jTiles, Math.max(1, (1 << 15) / (m * k + 1)), body);
    }

    private static void tile(int k, float[] a, int aOff, int lda, int m, int i0, float[] b, int bOff, int ldb, int n,
                             int j0, float[] dots) {
        int a0 = aOff + i0 * lda, a1 = aOff + Math.min(i0 + 1, m - 1) * lda;
        int a2 = aOff + Math.min(i0 + 2, m - 1) * lda, a3 = aOff + Math.min(i0 + 3, m - 1) * lda;
        int b0 = bOff + j0 * ldb, b1 = bOff + Math.min(j0 + 1, n - 1) * ldb, b2 = bOff + Math.min(j0 + 2, n - 1) * ldb;
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s10 = s00, s11 = s00, s12 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s30 = s00, s31 = s00, s32 = s00;
        int kv = S.loopBound(k);
        for (int p = 0; p < kv; p += V) {
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p), x1 = FloatVector.fromArray(S, a, a1 + p);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + p), x3 = FloatVector.fromArray(S, a, a3 + p);
            FloatVector y = FloatVector.fromArray(S, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            s20 = x2.fma(y, s20);
            s30 = x3.fma(y, s30);
            y = FloatVector.fromArray(S, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            s21 = x2.fma(y, s21);
            s31 = x3.fma(y, s31);
            y = FloatVector.fromArray(S, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            s22 = x2.fma(y, s22);
            s32 = x3.fma(y, s32);
        }
        dots[0] = s00.reduceLanes(VectorOperators.ADD);
        dots[1] = s01.reduceLanes(VectorOperators.ADD);
        dots[2] = s02.reduceLanes(VectorOperators.ADD);
        dots[3] = s10.reduceLanes(VectorOperators.ADD);
        dots[4] = s11.reduceLanes(VectorOperators.ADD);
        dots[5] = s12.reduceLanes(VectorOperators.ADD);
        dots[6] = s20.reduceLanes(VectorOperators.ADD);
        dots[7] = s21.reduceLanes(VectorOperators.ADD);
        dots[8] = s22.reduceLanes(VectorOperators.ADD);
        dots[9] = s30.reduceLanes(VectorOperators.ADD);
        dots[10] = s31.reduceLanes(VectorOperators.ADD);
        dots[11] = s32.reduceLanes(VectorOperators.ADD);
        if (kv < k) tail(kv, k, a, new int[] {a0, a1, a2, a3}, b, new int[] {b0, b1, b2}, dots);
    }

    /** Adds the last K % V products of each of the twelve dot products. */
    private static void tail(int kv, int k, float[] a, int[] rowA, float[] b, int[] rowB, float[] dots) {
        for (int t = 0; t < RA * RB; t++) {
            float s = dots[t];
            for (int p = kv, ra = rowA[t / RB], rb = rowB[t % RB]; p < k; p++) s = Math.fma(a[ra + p], b[rb + p], s);
            dots[t] = s;
        }
    }
}

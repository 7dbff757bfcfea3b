package dpvm.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float GEMM on the JDK Vector API: a register-tiled MR x NR micro-kernel (MR rows, two vectors of columns) over
 * packed panels. op(A), pre-scaled by alpha, is packed once into MR-row slivers; each task owns a range of
 * NR-column slivers of C and packs its own KC x NR slivers of op(B) into a block that stays in L2 while one A
 * sliver (MR x KC) stays in L1. Tiles sit on a global MR x NR grid and edge tiles are zero-padded, so every C
 * element sees the same FMA sequence whatever the task split: results do not depend on the thread count.
 * Which path runs (packed B, B read in place, or {@link VectorDotSgemm}) depends on the shape alone.
 *
 * <p>Only {@link Gemm} touches this class, and only by reflection, so JVMs without the incubator module never
 * link it.
 */
final class VectorSgemm implements Gemm.FloatGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    static final int MR = 6;
    static final int NR = 2 * V;
    /** Depth of one packed block: an A sliver (MR x KC) fits L1 next to streamed B. */
    private static final int KC = 256;
    /** Column slivers per packed B block: KC x NC_SLIVERS*NR floats stay within L2. */
    private static final int NC_SLIVERS = Math.max(1, 256 / NR) * 2;

    /**
     * Up to this many A slivers untransposed B is read in place: packing it would be paid back over too few rows
     * of A (measured: M = 64 runs 15% faster in place, M = 256 and up slower).
     */
    private static final int DIRECT_B_MAX_SLIVERS = 12;
    /** Up to this many A slivers A * B^T runs as dot products instead of transposing B into panels. */
    private static final int DOT_MAX_SLIVERS = 4;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][]);

    VectorSgemm() {
        // Narrow vectors would leave the micro-kernel slower than the scalar path's auto-vectorised loop.
        if (V < 4) throw new UnsupportedOperationException("float vectors of " + V + " lanes");
    }

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize() + "bit " + MR + "x" + NR;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                      int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int mSl = (m + MR - 1) / MR, nSl = (n + NR - 1) / NR;
        if (transB && !transA && mSl <= DOT_MAX_SLIVERS) {
            VectorDotSgemm.sgemm(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        float[] ap = scratch(0, mSl * MR * k);
        if ((long) m * k >= (1 << 16)) {
            Parallel.forRange(mSl, 4, (s0, s1) -> packA(transA, m, k, alpha, a, aOff, lda, mSl, ap, s0, s1));
        } else {
            packA(transA, m, k, alpha, a, aOff, lda, mSl, ap, 0, mSl);
        }
        // Wide C splits over columns only; narrow C also splits its rows into bands so every thread has work.
        int want = Parallel.threads() * 4;
        int mBands = nSl >= want ? 1 : Math.max(1, Math.min(mSl / 4, (want + nSl - 1) / nSl));
        int bandSl = (mSl + mBands - 1) / mBands;
        int units = mBands * nSl;
        boolean direct = !transB && mSl <= DIRECT_B_MAX_SLIVERS;
        Parallel.RangeBody body = (from, to) -> {
            float[] bp = scratch(1, KC * NC_SLIVERS * NR + MR * NR);
            for (int u = from; u < to; ) {
                int band = u / nSl, s0 = u % nSl, s1 = Math.min(nSl, s0 + (to - u));
                int r0 = band * bandSl, r1 = Math.min(mSl, r0 + bandSl);
                block(transB, direct, m, n, k, ap, mSl, b, bOff, ldb, beta, c, cOff, ldc, r0, r1, s0, s1, bp);
                u += s1 - s0;
            }
        };
        if ((long) m * n * k < (1 << 15)) body.run(0, units);
        else Parallel.forRange(units, 1, body);
    }

    /** A per-thread buffer; slot 0 holds packed A (caller thread), slot 1 packed B and the edge tile (tasks). */
    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        if (s[slot] == null || s[slot].length < size) s[slot] = new float[size];
        return s[slot];
    }

    /**
     * Packed A holds K blocks one after another; block {@code pc} starts at {@code pc * mSl * MR} and keeps each
     * sliver's kc x MR values contiguous, rows beyond m set to zero.
     */
    private static void packA(boolean transA, int m, int k, float alpha, float[] a, int aOff, int lda, int mSl,
                              float[] ap, int s0, int s1) {
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            for (int s = s0; s < s1; s++) {
                int d = pc * mSl * MR + s * MR * kc, i0 = s * MR, rows = Math.min(MR, m - i0);
                if (!transA && rows == MR) {
                    // Six row streams at once, so each step writes one contiguous group of MR values.
                    int r0 = aOff + i0 * lda + pc;
                    for (int p = 0, o = d; p < kc; p++, o += MR) {
                        ap[o] = alpha * a[r0 + p];
                        ap[o + 1] = alpha * a[r0 + lda + p];
                        ap[o + 2] = alpha * a[r0 + 2 * lda + p];
                        ap[o + 3] = alpha * a[r0 + 3 * lda + p];
                        ap[o + 4] = alpha * a[r0 + 4 * lda + p];
                        ap[o + 5] = alpha * a[r0 + 5 * lda + p];
                    }
                    continue;
                }
                for (int r = 0; r < rows; r++) {
                    int src = transA ? aOff + pc * lda + i0 + r : aOff + (i0 + r) * lda + pc;
                    int step = transA ? lda : 1;
                    for (int p = 0; p < kc; p++) ap[d + p * MR + r] = alpha * a[src + p * step];
                }
                for (int r = rows; r < MR; r++) {
                    for (int p = 0; p < kc; p++) ap[d + p * MR + r] = 0f;
                }
            }
        }
    }

    /** Packs slivers [s0, s1) of op(B) rows [pc, pc+kc) as kc x NR each, columns beyond n set to zero. */
    private static void packB(boolean transB, int n, int pc, int kc, float[] b, int bOff, int ldb, int s0, int s1,
                              float[] bp) {
        for (int s = s0; s < s1; s++) {
            int d = (s - s0) * kc * NR, j0 = s * NR, cols = Math.min(NR, n - j0);
            if (!transB && cols == NR) {
                for (int p = 0, src = bOff + pc * ldb + j0; p < kc; p++, src += ldb) {
                    FloatVector.fromArray(S, b, src).intoArray(bp, d + p * NR);
                    FloatVector.fromArray(S, b, src + V).intoArray(bp, d + p * NR + V);
                }
                continue;
            }
            int j = 0;
            if (transB) {
                // Four source rows per pass: each step writes four adjacent values instead of one.
                for (; j + 4 <= cols; j += 4) {
                    int r0 = bOff + (j0 + j) * ldb + pc;
                    for (int p = 0, o = d + j; p < kc; p++, o += NR) {
                        bp[o] = b[r0 + p];
                        bp[o + 1] = b[r0 + ldb + p];
                        bp[o + 2] = b[r0 + 2 * ldb + p];
                        bp[o + 3] = b[r0 + 3 * ldb + p];
                    }
                }
            }
            for (; j < cols; j++) {
                int src = transB ? bOff + (j0 + j) * ldb + pc : bOff + pc * ldb + j0 + j;
                int step = transB ? 1 : ldb;
                for (int p = 0; p < kc; p++) bp[d + p * NR + j] = b[src + p * step];
            }
            for (int p = 0; p < kc; p++) {
                for (int q = cols; q < NR; q++) bp[d + p * NR + q] = 0f;
            }
        }
    }

    /**
     * C rows of A slivers [r0, r1) times columns of B slivers [s0, s1), blocked over N and K. With {@code direct}
     * the micro-kernel reads full slivers of untransposed B in place: when A has few rows, packing B would cost
     * about as much as the product itself.
     */
    private static void block(boolean transB, boolean direct, int m, int n, int k, float[] ap, int mSl, float[] b,
                              int bOff, int ldb, float beta, float[] c, int cOff, int ldc, int r0, int r1, int s0,
                              int s1, float[] bp) {
        int edge = KC * NC_SLIVERS * NR;
        int lastFull = n / NR;
        for (int js = s0; js < s1; js += NC_SLIVERS) {
            int je = Math.min(s1, js + NC_SLIVERS);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                if (!direct) packB(transB, n, pc, kc, b, bOff, ldb, js, je, bp);
                else if (je > lastFull) packB(false, n, pc, kc, b, bOff, ldb, lastFull, je, bp);
                for (int ir = r0; ir < r1; ir++) {
                    int ai = pc * mSl * MR + ir * MR * kc, rows = Math.min(MR, m - ir * MR);
                    for (int jr = js; jr < je; jr++) {
                        int cols = Math.min(NR, n - jr * NR), ci = cOff + ir * MR * ldc + jr * NR;
                        if (direct && cols == NR) {
                            tile(kc, ap, ai, b, bOff + pc * ldb + jr * NR, ldb, c, ci, ldc, rows, cols, pc == 0,
                                    beta, bp, edge);
                        } else {
                            int bi = direct ? 0 : (jr - js) * kc * NR;
                            tile(kc, ap, ai, bp, bi, NR, c, ci, ldc, rows, cols, pc == 0, beta, bp, edge);
                        }
                    }
                }
            }
        }
    }

    /**
     * Adds one MR x NR tile into C: the product goes to {@code tile} first so that the FMA loop stays free of
     * branches and compiles the same whatever the profile. {@code first} marks the first K block, where beta
     * applies (beta 0 never reads C); later blocks add. Partial tiles update only their rows x cols corner.
     */
    private static void tile(int kc, float[] ap, int ai, float[] bp, int bi, int bStride, float[] c, int ci,
                             int ldc, int rows, int cols, boolean first, float beta, float[] tile, int ti) {
        product(kc, ap, ai, bp, bi, bStride, tile, ti);
        if (rows == MR && cols == NR) {
            for (int r = 0; r < MR; r++) store(tile, ti + r * NR, c, ci + r * ldc, first, beta);
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0, t = ti + r * NR, o = ci + r * ldc; j < cols; j++) {
                float acc = tile[t + j];
                c[o + j] = !first ? c[o + j] + acc : beta == 0f ? acc : c[o + j] * beta + acc;
            }
        }
    }

    /**
     * The register-tiled micro-kernel: MR broadcasts of A times two vectors of B per step, twelve accumulators.
     * B rows are {@code bStride} apart (NR when packed).
     */
    private static void product(int kc, float[] ap, int ai, float[] bp, int bi, int bStride, float[] tile, int ti) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++, ai += MR, bi += bStride) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + V);
            FloatVector x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, ti);
        c01.intoArray(tile, ti + V);
        c10.intoArray(tile, ti + NR);
        c11.intoArray(tile, ti + NR + V);
        c20.intoArray(tile, ti + 2 * NR);
        c21.intoArray(tile, ti + 2 * NR + V);
        c30.intoArray(tile, ti + 3 * NR);
        c31.intoArray(tile, ti + 3 * NR + V);
        c40.intoArray(tile, ti + 4 * NR);
        c41.intoArray(tile, ti + 4 * NR + V);
        c50.intoArray(tile, ti + 5 * NR);
        c51.intoArray(tile, ti + 5 * NR + V);
    }

    /** Same arithmetic as the scalar edge path above, so a value never depends on which path its tile took. */
    private static void store(float[] tile, int t, float[] c, int ci, boolean first, float beta) {
        for (int h = 0; h < NR; h += V) {
            FloatVector acc = FloatVector.fromArray(S, tile, t + h);
            if (first && beta == 0f) acc.intoArray(c, ci + h);
            else if (first) FloatVector.fromArray(S, c, ci + h).mul(beta).add(acc).intoArray(c, ci + h);
            else FloatVector.fromArray(S, c, ci + h).add(acc).intoArray(c, ci + h);
        }
    }
}

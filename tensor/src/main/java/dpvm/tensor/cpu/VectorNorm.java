package dpvm.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * CpuNorm's float32 row kernels on the JDK Vector API, giving the same bits as the scalar ones: the statistics
 * keep the scalar code's eight interleaved double sums as the lanes of two 256-bit vectors (element j goes to
 * sum j % 8, in the same order, through the same fused multiply-adds), and the normalisation does the same float
 * operations lane by lane. Only {@link CpuNorm} touches this class, and only by reflection.
 */
final class VectorNorm implements CpuNorm.FloatRows {
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    VectorNorm() {
        // without 256-bit vectors in hardware the four-lane double sums would run emulated, far slower than scalar
        if (S.vectorBitSize() < 256) throw new UnsupportedOperationException("float vectors of " + S.vectorBitSize() + " bits");
    }

    @Override
    public void stats(float[] x, int off, int n, double[] st) {
        double k = n > 0 ? x[off] : 0;
        // lanes of (sLo, sHi) are the scalar code's sums 0..7, and likewise for the squares
        DoubleVector sLo = DoubleVector.zero(D4), sHi = sLo, qLo = sLo, qHi = sLo;
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            FloatVector f = FloatVector.fromArray(F8, x, off + j);
            DoubleVector lo = ((DoubleVector) f.convertShape(VectorOperators.F2D, D4, 0)).sub(k);
            DoubleVector hi = ((DoubleVector) f.convertShape(VectorOperators.F2D, D4, 1)).sub(k);
            sLo = sLo.add(lo);
            sHi = sHi.add(hi);
            qLo = lo.fma(lo, qLo);
            qHi = hi.fma(hi, qHi);
        }
        double s0 = sLo.lane(0), q0 = qLo.lane(0);
        for (; j < n; j++) {
            double d = x[off + j] - k;
            s0 += d;
            q0 = Math.fma(d, d, q0);
        }
        double sum = CpuNorm.tree(s0, sLo.lane(1), sLo.lane(2), sLo.lane(3), sHi.lane(0), sHi.lane(1), sHi.lane(2), sHi.lane(3));
        double squares = CpuNorm.tree(q0, qLo.lane(1), qLo.lane(2), qLo.lane(3), qHi.lane(0), qHi.lane(1), qHi.lane(2), qHi.lane(3));
        CpuNorm.finish(k, sum, squares, n, st);
    }

    @Override
    public void normalise(float[] x, int xo, float[] y, int yo, int n, float mean, float rstd, float[] w, int wo, float[] b, int bo) {
        int j = 0, up = S.loopBound(n);
        if (w != null && b != null) {
            for (; j < up; j += V) {
                FloatVector.fromArray(S, x, xo + j).sub(mean).mul(rstd).mul(FloatVector.fromArray(S, w, wo + j))
                        .add(FloatVector.fromArray(S, b, bo + j)).intoArray(y, yo + j);
            }
        } else if (w != null) {
            for (; j < up; j += V) FloatVector.fromArray(S, x, xo + j).sub(mean).mul(rstd).mul(FloatVector.fromArray(S, w, wo + j)).intoArray(y, yo + j);
        } else if (b != null) {
            for (; j < up; j += V) FloatVector.fromArray(S, x, xo + j).sub(mean).mul(rstd).add(FloatVector.fromArray(S, b, bo + j)).intoArray(y, yo + j);
        } else {
            for (; j < up; j += V) FloatVector.fromArray(S, x, xo + j).sub(mean).mul(rstd).intoArray(y, yo + j);
        }
        CpuNorm.normaliseF(x, xo + j, y, yo + j, n - j, mean, rstd, w, wo + j, b, bo + j);
    }
}

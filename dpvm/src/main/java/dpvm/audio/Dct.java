package dpvm.audio;

/**
 * Orthonormal DCT-II, {@code scipy.fftpack.dct(x, type=2, norm='ortho')}, truncated to the
 * first nOut coefficients: c_k = s_k sum_n x_n cos(pi k (2n+1) / (2N)) with s_0 = sqrt(1/N) and
 * s_k = sqrt(2/N) otherwise. A dense matrix is used because N is small (128 mel bands) and only
 * ~20 rows are kept, which is cheaper than a full fast transform.
 */
public final class Dct {
    private final double[][] basis;

    public Dct(int nOut, int n) {
        if (n < 1 || nOut < 1 || nOut > n) {
            throw new IllegalArgumentException("need 1 <= nOut <= n");
        }
        basis = new double[nOut][n];
        for (int k = 0; k < nOut; k++) {
            double scale = Math.sqrt((k == 0 ? 1.0 : 2.0) / n);
            for (int i = 0; i < n; i++) {
                basis[k][i] = scale * Math.cos(Math.PI * k * (2 * i + 1) / (2.0 * n));
            }
        }
    }

    public int outputs() {
        return basis.length;
    }

    public int inputs() {
        return basis[0].length;
    }

    public void apply(double[] x, double[] out) {
        for (int k = 0; k < basis.length; k++) {
            double[] b = basis[k];
            double acc = 0.0;
            for (int i = 0; i < b.length; i++) {
                acc += b[i] * x[i];
            }
            out[k] = acc;
        }
    }

    /** Row k of the transform matrix (a copy). */
    public double[] row(int k) {
        return basis[k].clone();
    }
}

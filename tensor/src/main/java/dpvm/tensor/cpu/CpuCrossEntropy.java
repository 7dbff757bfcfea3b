package dpvm.tensor.cpu;

import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Shape;
import dpvm.tensor.ShapeException;
import dpvm.tensor.Tensor;

/**
 * Fused cross-entropy over logits [N, C] of any strides, row by row in double, rows in parallel: the forward
 * pass gives each row's loss term, log-sum-exp (as max and log-sum) and target weight; the backward pass each
 * row's softmax minus the smoothed, weighted one-hot target, times the row's upstream gradient.
 */
final class CpuCrossEntropy {
    private CpuCrossEntropy() {}

    /** The targets as int64, checked to lie in [0, classes) in order, so the first bad one is the one named. */
    private static long[] targets(CpuBackend backend, Tensor targets, Tensor logits) {
        long[] t = (long[]) backend.download(backend.copy(targets, DType.INT64));
        int classes = logits.shape()[1];
        for (long v : t) {
            if (v < 0 || v >= classes) throw new ShapeException("cross_entropy: index " + v + " is out of range for dim 1 of size " + classes + " in shape " + Shape.str(logits.shape()));
        }
        return t;
    }

    /** The class weights as doubles (all ones for null). */
    private static double[] weights(Tensor w, int classes) {
        double[] out = new double[classes];
        if (w == null) {
            java.util.Arrays.fill(out, 1);
            return out;
        }
        CpuStorage s = (CpuStorage) w.storage();
        for (int j = 0; j < classes; j++) out[j] = s.get(w.offset() + j * w.strides()[0]);
        return out;
    }

    /** n strided elements of a float32 or float64 storage into a double row. */
    private static void load(CpuStorage s, int at, int step, double[] row, int n) {
        if (s.f != null) {
            float[] a = s.f;
            for (int j = 0; j < n; j++, at += step) row[j] = a[at];
        } else {
            double[] a = s.d;
            for (int j = 0; j < n; j++, at += step) row[j] = a[at];
        }
    }

    /** A double row into n contiguous elements of a float32 or float64 storage (rounded once for float32). */
    private static void store(double[] row, CpuStorage s, int at, int n) {
        if (s.f != null) {
            float[] a = s.f;
            for (int j = 0; j < n; j++) a[at + j] = (float) row[j];
        } else {
            System.arraycopy(row, 0, s.d, at, n);
        }
    }

    private static int grain(int classes) {
        return Math.max(1, 4096 / Math.max(1, classes));
    }

    static Tensor[] forward(CpuBackend backend, Tensor logits, Tensor targets, Tensor classWeights, double smoothing) {
        int n = logits.shape()[0], c = logits.shape()[1];
        long[] t = targets(backend, targets, logits);
        double[] w = weights(classWeights, c);
        Tensor loss = Tensor.empty(new int[] {n}, logits.dtype(), Device.CPU), rowMax = Tensor.empty(new int[] {n}, logits.dtype(), Device.CPU);
        Tensor logSum = Tensor.empty(new int[] {n}, logits.dtype(), Device.CPU), targetWeight = Tensor.empty(new int[] {n}, logits.dtype(), Device.CPU);
        CpuStorage x = (CpuStorage) logits.storage(), lo = (CpuStorage) loss.storage(), mx = (CpuStorage) rowMax.storage();
        CpuStorage ls = (CpuStorage) logSum.storage(), tw = (CpuStorage) targetWeight.storage();
        int base = logits.offset(), rs = logits.strides()[0], cs = logits.strides()[1];
        double perClass = smoothing / c;
        Parallel.forRange(n, grain(c), (from, to) -> {
            double[] z = new double[c];
            for (int i = from; i < to; i++) {
                load(x, base + i * rs, cs, z, c);
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) m = Math.max(m, z[j]);
                if (m == Double.NEGATIVE_INFINITY) m = 0; // an all -inf row gives NaN, as softmax does
                double sum = 0;
                for (int j = 0; j < c; j++) {
                    z[j] -= m;
                    sum += Math.exp(z[j]);
                }
                double logS = Math.log(sum);
                int ti = (int) t[i];
                // lse - x = logS - (x - m): no cancellation against a large max
                double term = (1 - smoothing) * w[ti] * (logS - z[ti]);
                if (smoothing > 0) {
                    double all = 0;
                    for (int j = 0; j < c; j++) all += w[j] * (logS - z[j]);
                    term += perClass * all;
                }
                lo.set(i, term);
                mx.set(i, m);
                ls.set(i, logS);
                tw.set(i, w[ti]);
            }
        });
        return new Tensor[] {loss, rowMax, logSum, targetWeight};
    }

    static Tensor backward(CpuBackend backend, Tensor logits, Tensor targets, Tensor classWeights, Tensor rowMax, Tensor logSum, Tensor gradLoss, double smoothing) {
        int n = logits.shape()[0], c = logits.shape()[1];
        long[] t = targets(backend, targets, logits);
        double[] w = weights(classWeights, c);
        double weightSum = c;
        if (classWeights != null) {
            weightSum = 0;
            for (double v : w) weightSum += v;
        }
        Tensor out = Tensor.empty(new int[] {n, c}, logits.dtype(), Device.CPU);
        CpuStorage x = (CpuStorage) logits.storage(), mx = (CpuStorage) rowMax.storage(), ls = (CpuStorage) logSum.storage();
        CpuStorage g = (CpuStorage) gradLoss.storage(), o = (CpuStorage) out.storage();
        int base = logits.offset(), rs = logits.strides()[0], cs = logits.strides()[1];
        int mb = rowMax.offset(), mst = rowMax.strides()[0], lb = logSum.offset(), lst = logSum.strides()[0], gb = gradLoss.offset(), gst = gradLoss.strides()[0];
        double perClass = smoothing / c, allWeights = weightSum;
        Parallel.forRange(n, grain(c), (from, to) -> {
            double[] d = new double[c];
            for (int i = from; i < to; i++) {
                int ti = (int) t[i];
                double m = mx.get(mb + i * mst), logS = ls.get(lb + i * lst), gi = g.get(gb + i * gst);
                double onTarget = (1 - smoothing) * w[ti];
                double coef = smoothing > 0 ? onTarget + perClass * allWeights : onTarget;
                load(x, base + i * rs, cs, d, c);
                for (int j = 0; j < c; j++) d[j] = coef * Math.exp((d[j] - m) - logS);
                if (smoothing > 0) for (int j = 0; j < c; j++) d[j] -= perClass * w[j];
                d[ti] -= onTarget;
                for (int j = 0; j < c; j++) d[j] *= gi;
                store(d, o, i * c, c);
            }
        });
        return out;
    }
}

package dpvm.tensor.cpu;

import dpvm.tensor.Device;
import dpvm.tensor.Philox;
import dpvm.tensor.Tensor;

/**
 * Dropout fused with its mask: one pass that draws element i's Philox uniform number, compares it and scales, in
 * x's dtype exactly as the unfused fill, comparison and two products did. Element i's result depends only on
 * (seed, offset, i), so the split over threads cannot change it.
 */
final class CpuDropout {
    private CpuDropout() {}

    static Tensor dropout(Tensor x, double p, long seed, long offset) {
        Tensor out = Tensor.empty(x.shape(), x.dtype(), Device.CPU);
        CpuStorage o = (CpuStorage) out.storage(), a = (CpuStorage) x.storage();
        double keepBelow = 1 - p, scale = p == 1 ? 0 : 1 / (1 - p);
        // the output is fresh and contiguous, so its position in a run is the element's row-major index
        StridedLoop loop = StridedLoop.over(out.shape(), out, x);
        switch (x.dtype()) {
            case FLOAT32 -> {
                float below = (float) keepBelow, s = (float) scale;
                loop.run((b, st, n) -> {
                    float[] od = o.f, ad = a.f;
                    int[] words = null;
                    long block = -1;
                    for (int j = 0, io = b[0], ia = b[1]; j < n; j++, io += st[0], ia += st[1]) {
                        if (io >>> 2 != block) {
                            block = io >>> 2;
                            words = words(seed, offset + block);
                        }
                        float keep = Philox.uniform(words[io & 3]) < below ? 1f : 0f;
                        od[io] = ad[ia] * keep * s;
                    }
                });
            }
            case FLOAT64 -> loop.run((b, st, n) -> {
                double[] od = o.d, ad = a.d;
                int[] words = null;
                long block = -1;
                for (int j = 0, io = b[0], ia = b[1]; j < n; j++, io += st[0], ia += st[1]) {
                    if (io >>> 2 != block) {
                        block = io >>> 2;
                        words = words(seed, offset + block);
                    }
                    double keep = (double) Philox.uniform(words[io & 3]) < keepBelow ? 1 : 0;
                    od[io] = ad[ia] * keep * scale;
                }
            });
            default -> throw new IllegalArgumentException("dropout: needs a floating-point tensor, got " + x.dtype());
        }
        return out;
    }

    private static int[] words(long seed, long counter) {
        return Philox.block((int) counter, (int) (counter >>> 32), 0, 0, (int) seed, (int) (seed >>> 32));
    }
}

package dpvm.tensor.cpu;

import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

import static dpvm.tensor.cpu.CpuNorm.cs;
import static dpvm.tensor.cpu.CpuNorm.dense;

/**
 * Training-mode batch norm over x viewed as [outer, C, inner] (made dense first if it is not) and its backward,
 * one task per channel. A channel's N x inner values are runs of inner at stride C x inner. Its statistics come
 * from one pass: sums of (x - x0) and (x - x0)^2 in double, shifted by the channel's first value as layer norm
 * does ({@link CpuNorm#finish}), so a mean far from zero cannot cancel the variance away. Float32 channels are
 * normalised in float from the rounded mean and rstd, double ones in double; the gradient's two sums are taken
 * in double. Each channel is computed by one task in one order, so results do not depend on the thread count.
 */
final class CpuBatchNorm {
    private CpuBatchNorm() {}

    /** {y, mean, rstd, var}; see {@link dpvm.tensor.Backend#batchNorm}. */
    static Tensor[] forward(CpuBackend backend, Tensor x, Tensor weight, Tensor bias, double eps) {
        int[] v = Shape.channels(x.shape());
        int outer = v[0], channels = v[1], inner = v[2];
        Tensor cx = dense(backend, x), cw = dense(backend, weight), cb = dense(backend, bias);
        Tensor y = Tensor.empty(x.shape(), x.dtype(), Device.CPU);
        Tensor[] stats = new Tensor[3];
        for (int i = 0; i < 3; i++) stats[i] = Tensor.empty(new int[] {channels}, x.dtype(), Device.CPU);
        CpuStorage xs = cs(cx), ys = cs(y), ms = cs(stats[0]), rs = cs(stats[1]), vs = cs(stats[2]), ws = cs(cw), bs = cs(cb);
        int xo = cx.offset(), wo = cw == null ? 0 : cw.offset(), bo = cb == null ? 0 : cb.offset();
        boolean f32 = x.dtype() == DType.FLOAT32;
        long n = (long) outer * inner;
        Parallel.forRange(channels, 1, (from, to) -> {
            double[] st = new double[2];
            for (int c = from; c < to; c++) {
                int first = c * inner;
                double k = f32 ? xs.f[xo + first] : xs.d[xo + first], s = 0, q = 0;
                for (int a = 0; a < outer; a++) {
                    int at = xo + (a * channels + c) * inner;
                    for (int j = 0; j < inner; j++) {
                        double d = (f32 ? xs.f[at + j] : xs.d[at + j]) - k;
                        s += d;
                        q = Math.fma(d, d, q);
                    }
                }
                CpuNorm.finish(k, s, q, (int) n, st);
                double rstd = 1 / Math.sqrt(st[1] + eps);
                ms.set(c, st[0]);
                rs.set(c, rstd);
                vs.set(c, st[1]);
                if (f32) {
                    float m = (float) st[0], r = (float) rstd;
                    float w = ws == null ? 1 : ws.f[wo + c], b = bs == null ? 0 : bs.f[bo + c];
                    for (int a = 0; a < outer; a++) {
                        int at = (a * channels + c) * inner;
                        for (int j = 0; j < inner; j++) {
                            float h = (xs.f[xo + at + j] - m) * r;
                            if (ws != null) h = h * w;
                            if (bs != null) h = h + b;
                            ys.f[at + j] = h;
                        }
                    }
                } else {
                    double w = ws == null ? 1 : ws.d[wo + c], b = bs == null ? 0 : bs.d[bo + c];
                    for (int a = 0; a < outer; a++) {
                        int at = (a * channels + c) * inner;
                        for (int j = 0; j < inner; j++) {
                            double h = (xs.d[xo + at + j] - st[0]) * rstd;
                            if (ws != null) h = h * w;
                            if (bs != null) h = h + b;
                            ys.d[at + j] = h;
                        }
                    }
                }
            }
        });
        return new Tensor[] {y, stats[0], stats[1], stats[2]};
    }

    /**
     * dx = w rstd (g - a / n - xhat c / n) per channel, with xhat = (x - mean) rstd, a = sum of g (dbias) and
     * c = sum of g xhat (dweight), both in double.
     */
    static Tensor[] backward(CpuBackend backend, Tensor gy, Tensor x, Tensor mean, Tensor rstd, Tensor weight, boolean weightGrad, boolean biasGrad) {
        int[] v = Shape.channels(x.shape());
        int outer = v[0], channels = v[1], inner = v[2];
        Tensor cg = dense(backend, gy), cx = dense(backend, x), cm = dense(backend, mean), cr = dense(backend, rstd), cw = dense(backend, weight);
        Tensor dx = Tensor.empty(x.shape(), x.dtype(), Device.CPU);
        Tensor dw = weightGrad ? Tensor.empty(new int[] {channels}, x.dtype(), Device.CPU) : null;
        Tensor db = biasGrad ? Tensor.empty(new int[] {channels}, x.dtype(), Device.CPU) : null;
        CpuStorage gs = cs(cg), xs = cs(cx), ds = cs(dx), dws = cs(dw), dbs = cs(db), ms = cs(cm), rs = cs(cr), ws = cs(cw);
        int go = cg.offset(), xo = cx.offset(), mo = cm.offset(), ro = cr.offset(), wo = cw == null ? 0 : cw.offset();
        boolean f32 = x.dtype() == DType.FLOAT32;
        double n = (double) outer * inner;
        Parallel.forRange(channels, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                double m = ms.get(mo + c), r = rs.get(ro + c), w = ws == null ? 1 : ws.get(wo + c);
                double a = 0, cc = 0;
                for (int o = 0; o < outer; o++) {
                    int at = (o * channels + c) * inner;
                    for (int j = 0; j < inner; j++) {
                        double g = f32 ? gs.f[go + at + j] : gs.d[go + at + j];
                        double xhat = ((f32 ? xs.f[xo + at + j] : xs.d[xo + at + j]) - m) * r;
                        a += g;
                        cc += g * xhat;
                    }
                }
                if (dws != null) dws.set(c, cc);
                if (dbs != null) dbs.set(c, a);
                double an = a / n, cn = cc / n, scale = w * r;
                for (int o = 0; o < outer; o++) {
                    int at = (o * channels + c) * inner;
                    for (int j = 0; j < inner; j++) {
                        double g = f32 ? gs.f[go + at + j] : gs.d[go + at + j];
                        double xhat = ((f32 ? xs.f[xo + at + j] : xs.d[xo + at + j]) - m) * r;
                        double d = scale * (g - an - xhat * cn);
                        if (f32) ds.f[at + j] = (float) d;
                        else ds.d[at + j] = d;
                    }
                }
            }
        });
        return new Tensor[] {dx, dw, db};
    }
}

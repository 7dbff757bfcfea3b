package dpvm.kernels;

import dpvm.tensor.Backend.PoolSpec;
import dpvm.tensor.DType;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;
import dpvm.tensor.cpu.PoolGeometry;


/**
 * Max, average and adaptive-average pooling with the engine's own kernels (pool.cu). Output sizes and
 * argument checks come from the CPU backend's {@link PoolGeometry}, so both backends agree on every shape. The
 * backward kernels gather per input element, so they overwrite all of dx and need no zeroed buffer.
 */
final class Pooling {
    private Pooling() {}

    static PoolGeometry geometry(int[] xShape, PoolSpec spec) {
        return PoolGeometry.of(xShape, spec);
    }

    /** The PoolGeo struct: planes, in[3], out[3], k[3], s[3], p[3], d[3], countIncludePad, adaptive. */
    private static int[] pack(int planes, int[] in, int[] out, int[] k, int[] s, int[] p, int[] d, boolean includePad, boolean adaptive) {
        int[] g = new int[21];
        g[0] = planes;
        int at = 1;
        for (int[] a : new int[][] {in, out, k, s, p, d}) {
            System.arraycopy(a, 0, g, at, 3);
            at += 3;
        }
        g[19] = includePad ? 1 : 0;
        g[20] = adaptive ? 1 : 0;
        return g;
    }

    private static int[] pack(PoolGeometry g, boolean includePad) {
        return pack(g.planes(), g.inSize(), g.outSize(), g.kernel(), g.stride(), g.padding(), g.dilation(), includePad, false);
    }

    private static int[] packAdaptive(int planes, int[] in3, int[] out3) {
        int[] one = {1, 1, 1}, zero = {0, 0, 0};
        return pack(planes, in3, out3, one, one, zero, one, false, true);
    }

    static Tensor[] maxPool(Ctx c, Tensor x, PoolSpec spec) {
        PoolGeometry g = geometry(x.shape(), spec);
        Tensor cx = c.dense(x);
        int[] ys = Shape.withSpatial(x.shape()[0], x.shape()[1], g.outSize(), x.rank() - 2);
        Tensor y = c.empty(ys, x.dtype()), arg = c.empty(ys, DType.INT32);
        c.launch("pool.cu", "maxpool_fwd_" + Ctx.sfx(x.dtype()), y.numel(), pack(g, false), Ctx.ptr(cx), Ctx.ptr(y), Ctx.ptr(arg));
        return new Tensor[] {y, arg};
    }

    static Tensor maxPoolBackward(Ctx c, Tensor gy, Tensor argmax, int[] xShape, PoolSpec spec) {
        PoolGeometry g = geometry(xShape, spec);
        Tensor cg = c.dense(gy), ca = c.dense(argmax);
        Tensor dx = c.empty(xShape, gy.dtype());
        c.launch("pool.cu", "maxpool_bwd_" + Ctx.sfx(gy.dtype()), dx.numel(), pack(g, false), Ctx.ptr(cg), Ctx.ptr(ca), Ctx.ptr(dx));
        return dx;
    }

    static Tensor avgPool(Ctx c, Tensor x, PoolSpec spec) {
        PoolGeometry g = geometry(x.shape(), spec);
        for (int d : g.dilation()) if (d != 1) throw new IllegalArgumentException("average pooling takes no dilation, got " + g);
        Tensor cx = c.dense(x);
        Tensor y = c.empty(Shape.withSpatial(x.shape()[0], x.shape()[1], g.outSize(), x.rank() - 2), x.dtype());
        c.launch("pool.cu", "avgpool_fwd_" + Ctx.sfx(x.dtype()), y.numel(), pack(g, spec.countIncludePad()), Ctx.ptr(cx), Ctx.ptr(y));
        return y;
    }

    static Tensor avgPoolBackward(Ctx c, Tensor gy, int[] xShape, PoolSpec spec) {
        PoolGeometry g = geometry(xShape, spec);
        Tensor cg = c.dense(gy);
        Tensor dx = c.empty(xShape, gy.dtype());
        c.launch("pool.cu", "avgpool_bwd_" + Ctx.sfx(gy.dtype()), dx.numel(), pack(g, spec.countIncludePad()), Ctx.ptr(cg), Ctx.ptr(dx));
        return dx;
    }

    static Tensor adaptiveAvgPool(Ctx c, Tensor x, int[] outSize) {
        Tensor cx = c.dense(x);
        int sd = x.rank() - 2;
        int[] in3 = Shape.to3(Shape.spatial(x.shape()), 1), out3 = Shape.to3(outSize, 1);
        Tensor y = c.empty(Shape.withSpatial(x.shape()[0], x.shape()[1], out3, sd), x.dtype());
        c.launch("pool.cu", "avgpool_fwd_" + Ctx.sfx(x.dtype()), y.numel(), packAdaptive(x.shape()[0] * x.shape()[1], in3, out3), Ctx.ptr(cx), Ctx.ptr(y));
        return y;
    }

    static Tensor adaptiveAvgPoolBackward(Ctx c, Tensor gy, int[] xShape) {
        Tensor cg = c.dense(gy);
        int[] in3 = Shape.to3(Shape.spatial(xShape), 1), out3 = Shape.to3(Shape.spatial(gy.shape()), 1);
        Tensor dx = c.empty(xShape, gy.dtype());
        c.launch("pool.cu", "avgpool_bwd_" + Ctx.sfx(gy.dtype()), dx.numel(), packAdaptive(xShape[0] * xShape[1], in3, out3), Ctx.ptr(cg), Ctx.ptr(dx));
        return dx;
    }
}

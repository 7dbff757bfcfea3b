package dpvm.tensor.cpu;

import dpvm.tensor.BFloat16;
import dpvm.tensor.Backend;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Fused;
import dpvm.tensor.Philox;
import dpvm.tensor.Shape;
import dpvm.tensor.ShapeException;
import dpvm.tensor.Storage;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/**
 * The pure-Java reference backend: the executable specification every other backend is checked against. Uses
 * every core through {@link Parallel}; results do not depend on the thread count.
 */
public final class CpuBackend implements Backend {
    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        return new CpuStorage(dtype, size);
    }

    private Tensor empty(int[] shape, DType dtype) {
        return Tensor.empty(shape, dtype, Device.CPU);
    }

    @Override
    public void upload(Storage dst, int offset, Object host) {
        CpuStorage s = (CpuStorage) dst;
        int n = java.lang.reflect.Array.getLength(host);
        if (offset < 0 || offset + n > s.size()) throw new IllegalArgumentException("upload: " + n + " values at offset " + offset + " exceed storage of " + s.size());
        switch (s.dtype()) {
            case FLOAT32 -> System.arraycopy(expect(host, float[].class, s), 0, s.f, offset, n);
            case FLOAT64 -> System.arraycopy(expect(host, double[].class, s), 0, s.d, offset, n);
            case INT32 -> System.arraycopy(expect(host, int[].class, s), 0, s.i, offset, n);
            case INT64 -> System.arraycopy(expect(host, long[].class, s), 0, s.l, offset, n);
            case BFLOAT16 -> System.arraycopy(expect(host, short[].class, s), 0, s.h, offset, n);
        }
    }

    private static <T> T expect(Object host, Class<T> type, Storage s) {
        if (!type.isInstance(host)) throw new IllegalArgumentException("upload: a " + host.getClass().getSimpleName() + " cannot fill " + s.dtype() + " storage");
        return type.cast(host);
    }

    @Override
    public Object download(Tensor src) {
        Tensor c = src.isContiguous() ? src : copy(src, src.dtype());
        CpuStorage s = (CpuStorage) c.storage();
        int from = c.offset(), to = from + c.numel();
        return switch (c.dtype()) {
            case FLOAT32 -> Arrays.copyOfRange(s.f, from, to);
            case FLOAT64 -> Arrays.copyOfRange(s.d, from, to);
            case INT32 -> Arrays.copyOfRange(s.i, from, to);
            case INT64 -> Arrays.copyOfRange(s.l, from, to);
            case BFLOAT16 -> Arrays.copyOfRange(s.h, from, to);
        };
    }

    @Override
    public Tensor fill(int[] shape, DType dtype, double value) {
        Tensor t = empty(shape, dtype);
        if (value != 0) {
            CpuStorage s = (CpuStorage) t.storage();
            switch (dtype) {
                case FLOAT32 -> Arrays.fill(s.f, (float) value);
                case FLOAT64 -> Arrays.fill(s.d, value);
                case INT32 -> Arrays.fill(s.i, (int) value);
                case INT64 -> Arrays.fill(s.l, (long) value);
                case BFLOAT16 -> Arrays.fill(s.h, BFloat16.fromFloat((float) value));
            }
        }
        return t;
    }

    @Override
    public Tensor copy(Tensor src, DType dtype) {
        Tensor out = empty(src.shape(), dtype);
        CpuElementwise.copy(src, out);
        return out;
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        CpuElementwise.copy(src, dst);
    }

    @Override
    public Tensor unary(Unary op, Tensor x) {
        Tensor out = empty(x.shape(), x.dtype());
        CpuElementwise.unary(op, x, out);
        return out;
    }

    @Override
    public Tensor binary(Binary op, Tensor a, Tensor b) {
        Tensor out = empty(Shape.broadcast(op.name().toLowerCase(), a.shape(), b.shape()), a.dtype());
        CpuElementwise.binary(op, a, b, out);
        return out;
    }

    @Override
    public Tensor[] fused(Fused program, Tensor[] inputs) {
        int[] shape = new int[0];
        for (Tensor x : inputs) shape = Shape.broadcast("fused " + program.name(), shape, x.shape());
        Tensor[] outs = new Tensor[program.outputs()];
        for (int k = 0; k < outs.length; k++) outs[k] = empty(shape, inputs[0].dtype());
        CpuFused.run(program, inputs, outs, shape);
        return outs;
    }

    @Override
    public Tensor where(Tensor condition, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", condition.shape(), a.shape()), b.shape());
        Tensor out = empty(shape, a.dtype());
        CpuElementwise.where(condition, a, b, out);
        return out;
    }

    @Override
    public Tensor reduce(Reduce op, Tensor x, int[] dims, boolean keepdim) {
        return CpuReduce.reduce(this, op, x, dims, keepdim);
    }

    @Override
    public Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) {
        return CpuReduce.argReduce(this, max, x, dim, keepdim);
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        return CpuDense.matmul(this, a, b);
    }

    @Override
    public Tensor conv(Tensor x, Tensor w, ConvSpec spec) {
        return CpuDense.conv(this, x, w, spec);
    }

    @Override
    public Tensor convBackwardData(Tensor gradOut, Tensor w, int[] xShape, ConvSpec spec) {
        return CpuDense.convBackwardData(this, gradOut, w, xShape, spec);
    }

    @Override
    public Tensor convBackwardWeight(Tensor x, Tensor gradOut, int[] wShape, ConvSpec spec) {
        return CpuDense.convBackwardWeight(this, x, gradOut, wShape, spec);
    }

    @Override
    public Tensor[] maxPool(Tensor x, PoolSpec spec) {
        return CpuDense.maxPool(this, x, spec);
    }

    @Override
    public Tensor maxPoolBackward(Tensor gradOut, Tensor argmax, int[] xShape, PoolSpec spec) {
        return CpuDense.maxPoolBackward(this, gradOut, argmax, xShape, spec);
    }

    @Override
    public Tensor avgPool(Tensor x, PoolSpec spec) {
        return CpuDense.avgPool(this, x, spec);
    }

    @Override
    public Tensor avgPoolBackward(Tensor gradOut, int[] xShape, PoolSpec spec) {
        return CpuDense.avgPoolBackward(this, gradOut, xShape, spec);
    }

    @Override
    public Tensor adaptiveAvgPool(Tensor x, int[] outSize) {
        return CpuDense.adaptiveAvgPool(this, x, outSize);
    }

    @Override
    public Tensor adaptiveAvgPoolBackward(Tensor gradOut, int[] xShape) {
        return CpuDense.adaptiveAvgPoolBackward(this, gradOut, xShape);
    }

    @Override
    public Tensor[] batchNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return CpuBatchNorm.forward(this, x, weight, bias, eps);
    }

    @Override
    public Tensor[] batchNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight, boolean weightGrad, boolean biasGrad) {
        return CpuBatchNorm.backward(this, gradOut, x, mean, rstd, weight, weightGrad, biasGrad);
    }

    @Override
    public Tensor[] layerNorm(Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
        return CpuNorm.forward(this, x, normalizedDims, weight, bias, eps);
    }

    @Override
    public Tensor[] layerNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight, int normalizedDims,
                                      boolean weightGrad, boolean biasGrad) {
        return CpuNorm.backward(this, gradOut, x, mean, rstd, weight, normalizedDims, weightGrad, biasGrad);
    }

    @Override
    public Tensor softmax(Tensor x, int dim, boolean log) {
        return CpuSoftmax.forward(this, x, dim, log);
    }

    @Override
    public Tensor softmaxBackward(Tensor y, Tensor gradOut, int dim, boolean log) {
        return CpuSoftmax.backward(this, y, gradOut, dim, log);
    }

    @Override
    public Tensor indexSelect(Tensor x, int dim, Tensor index) {
        return CpuIndex.indexSelect(this, x, dim, index);
    }

    @Override
    public Tensor indexAdd(int[] shape, int dim, Tensor index, Tensor src) {
        return CpuIndex.indexAdd(this, shape, dim, index, src);
    }

    @Override
    public Tensor gather(Tensor x, int dim, Tensor index) {
        return CpuIndex.gather(this, x, dim, index);
    }

    @Override
    public Tensor scatterAdd(int[] shape, int dim, Tensor index, Tensor src) {
        return CpuIndex.scatterAdd(this, shape, dim, index, src);
    }

    @Override
    public void fillRandom(Tensor out, Distribution distribution, long seed, long offset) {
        if (!out.isContiguous()) throw new ShapeException("fill_random: output must be contiguous, got strides " + Arrays.toString(out.strides()));
        CpuStorage s = (CpuStorage) out.storage();
        int base = out.offset(), n = out.numel();
        int perBlock = distribution == Distribution.UNIFORM ? 4 : 2;
        int blocks = (n + perBlock - 1) / perBlock;
        Parallel.forRange(blocks, 256, (from, to) -> {
            for (int b = from; b < to; b++) {
                for (int j = 0; j < perBlock && b * perBlock + j < n; j++) {
                    long i = (long) b * perBlock + j;
                    double v = distribution == Distribution.UNIFORM ? Philox.uniformAt(seed, offset, i) : Philox.normalAt(seed, offset, i);
                    s.set(base + (int) i, v);
                }
            }
        });
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep h) {
        for (Tensor t : new Tensor[] {param, grad, m, v}) {
            if (!t.isContiguous()) throw new ShapeException("adam_step: tensors must be contiguous, got shape " + Shape.str(t.shape()) + " strides " + Arrays.toString(t.strides()));
            if (!Shape.same(t.shape(), param.shape())) throw new ShapeException("adam_step: shapes differ: param " + Shape.str(param.shape()) + " and " + Shape.str(t.shape()));
        }
        CpuStorage p = (CpuStorage) param.storage(), g = (CpuStorage) grad.storage(), ms = (CpuStorage) m.storage(), vs = (CpuStorage) v.storage();
        int po = param.offset(), go = grad.offset(), mo = m.offset(), vo = v.offset();
        double bc1 = 1 - Math.pow(h.beta1(), h.step()), bc2 = 1 - Math.pow(h.beta2(), h.step());
        double stepSize = h.lr() / bc1, bc2Sqrt = Math.sqrt(bc2);
        Parallel.forRange(param.numel(), 4096, (from, to) -> {
            for (int i = from; i < to; i++) {
                double w = p.get(po + i), gi = g.get(go + i);
                if (h.weightDecay() != 0) {
                    if (h.decoupled()) w *= 1 - h.lr() * h.weightDecay();
                    else gi += h.weightDecay() * w;
                }
                double mi = h.beta1() * ms.get(mo + i) + (1 - h.beta1()) * gi;
                double vi = h.beta2() * vs.get(vo + i) + (1 - h.beta2()) * gi * gi;
                ms.set(mo + i, mi);
                vs.set(vo + i, vi);
                p.set(po + i, w - stepSize * mi / (Math.sqrt(vi) / bc2Sqrt + h.eps()));
            }
        });
    }

    // ---------------------------------------------------------------- fused dropout and cross-entropy

    @Override
    public Tensor dropout(Tensor x, double p, long seed, long offset) {
        return CpuDropout.dropout(x, p, seed, offset);
    }

    @Override
    public Tensor[] crossEntropy(Tensor logits, Tensor targets, Tensor classWeights, double labelSmoothing) {
        return CpuCrossEntropy.forward(this, logits, targets, classWeights, labelSmoothing);
    }

    @Override
    public Tensor crossEntropyBackward(Tensor logits, Tensor targets, Tensor classWeights, Tensor rowMax, Tensor logSum, Tensor gradLoss, double labelSmoothing) {
        return CpuCrossEntropy.backward(this, logits, targets, classWeights, rowMax, logSum, gradLoss, labelSmoothing);
    }
}

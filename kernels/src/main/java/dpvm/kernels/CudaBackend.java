package dpvm.kernels;

import dpvm.kernels.memory.CachingAllocator;
import dpvm.kernels.profile.Nvtx;
import dpvm.tensor.Backend;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Fused;
import dpvm.tensor.Storage;
import dpvm.tensor.Tensor;
import org.bytedeco.cuda.global.cudart;

import java.util.function.Supplier;

/**
 * The CUDA implementation of every {@link Backend} primitive. Each call is queued on the device's stream and
 * returns without waiting (except downloads and the bad-index check); each is timed by the device's
 * {@link dpvm.kernels.profile.Profiler} when profiling is on. With {@code -Ddpvm.cuda.poison=true} every
 * fresh allocation is filled with all-ones bytes (NaN for floats, -1 for integers), so outputs a kernel
 * forgot to write show up in comparisons.
 */
public final class CudaBackend implements Backend {
    private static final boolean POISON = Boolean.getBoolean("dpvm.cuda.poison");

    private final CudaDevice dev;
    private final Ctx ctx;

    CudaBackend(CudaDevice dev) {
        this.dev = dev;
        this.ctx = new Ctx(dev);
    }

    public CudaDevice cudaDevice() {
        return dev;
    }

    private <T> T op(String name, Supplier<T> body) {
        dev.activate();
        T result;
        if (!Nvtx.enabled()) {
            result = dev.profiler().time(name, body);
        } else {
            Nvtx.push(name); // so Nsight Systems shows the op over its kernels
            try {
                result = dev.profiler().time(name, body);
            } finally {
                Nvtx.pop();
            }
        }
        OpSync.after(dev, name);
        return result;
    }

    private void op(String name, Runnable body) {
        op(name, () -> {
            body.run();
            return null;
        });
    }

    @Override
    public Device device() {
        return ctx.device;
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        dev.activate();
        long bytes = (long) size * dtype.byteSize();
        CachingAllocator.Block b = dev.allocator().allocate(bytes, dev.stream());
        if (POISON && bytes > 0) Cuda.check(cudart.cudaMemsetAsync(Cuda.at(b.address), 0xFF, bytes, dev.rawStream()), "cudaMemsetAsync(poison)");
        return new CudaStorage(dtype, size, ctx.device, dev, b);
    }

    @Override
    public void upload(Storage dst, int offset, Object hostArray) {
        op("upload", () -> Transfers.upload(ctx, (CudaStorage) dst, offset, hostArray));
    }

    @Override
    public Object download(Tensor src) {
        return op("download", () -> Transfers.download(ctx, src));
    }

    @Override
    public Tensor fill(int[] shape, DType dtype, double value) {
        return op("fill", () -> Transfers.fill(ctx, shape, dtype, value));
    }

    @Override
    public Tensor copy(Tensor src, DType dtype) {
        return op("copy", () -> Transfers.copy(ctx, src, dtype));
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        op("copy_into", () -> Transfers.copyInto(ctx, dst, src));
    }

    @Override
    public Tensor unary(Unary u, Tensor x) {
        return op(u.name().toLowerCase(), () -> Elementwise.unary(ctx, u, x));
    }

    @Override
    public Tensor binary(Binary b, Tensor x, Tensor y) {
        return op(b.name().toLowerCase(), () -> Elementwise.binary(ctx, b, x, y));
    }

    @Override
    public Tensor[] fused(Fused program, Tensor[] inputs) {
        return op("fused_" + program.name(), () -> FusedKernels.run(ctx, program, inputs));
    }

    @Override
    public Tensor where(Tensor condition, Tensor a, Tensor b) {
        return op("where", () -> Elementwise.where(ctx, condition, a, b));
    }

    @Override
    public Tensor reduce(Reduce r, Tensor x, int[] dims, boolean keepdim) {
        return op("reduce_" + r.name().toLowerCase(), () -> Reductions.reduce(ctx, r, x, dims, keepdim));
    }

    @Override
    public Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) {
        return op(max ? "argmax" : "argmin", () -> Reductions.argReduce(ctx, max, x, dim, keepdim));
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        return op("matmul", () -> Blas.matmul(ctx, a, b));
    }

    @Override
    public Tensor conv(Tensor x, Tensor w, ConvSpec spec) {
        return op("conv", () -> Convolution.forward(ctx, x, w, spec));
    }

    @Override
    public Tensor convBackwardData(Tensor gradOut, Tensor w, int[] xShape, ConvSpec spec) {
        return op("conv_backward_data", () -> Convolution.backwardData(ctx, gradOut, w, xShape, spec));
    }

    @Override
    public Tensor convBackwardWeight(Tensor x, Tensor gradOut, int[] wShape, ConvSpec spec) {
        return op("conv_backward_weight", () -> Convolution.backwardFilter(ctx, x, gradOut, wShape, spec));
    }

    @Override
    public Tensor[] maxPool(Tensor x, PoolSpec spec) {
        return op("max_pool", () -> Pooling.maxPool(ctx, x, spec));
    }

    @Override
    public Tensor maxPoolBackward(Tensor gradOut, Tensor argmax, int[] xShape, PoolSpec spec) {
        return op("max_pool_backward", () -> Pooling.maxPoolBackward(ctx, gradOut, argmax, xShape, spec));
    }

    @Override
    public Tensor avgPool(Tensor x, PoolSpec spec) {
        return op("avg_pool", () -> Pooling.avgPool(ctx, x, spec));
    }

    @Override
    public Tensor avgPoolBackward(Tensor gradOut, int[] xShape, PoolSpec spec) {
        return op("avg_pool_backward", () -> Pooling.avgPoolBackward(ctx, gradOut, xShape, spec));
    }

    @Override
    public Tensor adaptiveAvgPool(Tensor x, int[] outSize) {
        return op("adaptive_avg_pool", () -> Pooling.adaptiveAvgPool(ctx, x, outSize));
    }

    @Override
    public Tensor adaptiveAvgPoolBackward(Tensor gradOut, int[] xShape) {
        return op("adaptive_avg_pool_backward", () -> Pooling.adaptiveAvgPoolBackward(ctx, gradOut, xShape));
    }

    @Override
    public Tensor[] batchNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return op("batch_norm", () -> BatchNorm.forward(ctx, x, weight, bias, eps));
    }

    @Override
    public Tensor[] batchNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight, boolean weightGrad, boolean biasGrad) {
        return op("batch_norm_backward", () -> BatchNorm.backward(ctx, gradOut, x, mean, rstd, weight, weightGrad, biasGrad));
    }

    @Override
    public Tensor[] layerNorm(Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
        return op("layer_norm", () -> Norm.forward(ctx, x, normalizedDims, weight, bias, eps));
    }

    @Override
    public Tensor[] layerNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight, int normalizedDims,
                                      boolean weightGrad, boolean biasGrad) {
        return op("layer_norm_backward", () -> Norm.backward(ctx, gradOut, x, mean, rstd, weight, normalizedDims, weightGrad, biasGrad));
    }

    @Override
    public Tensor softmax(Tensor x, int dim, boolean log) {
        return op(log ? "log_softmax" : "softmax", () -> Softmax.forward(ctx, x, dim, log));
    }

    @Override
    public Tensor softmaxBackward(Tensor y, Tensor gradOut, int dim, boolean log) {
        return op(log ? "log_softmax_backward" : "softmax_backward", () -> Softmax.backward(ctx, y, gradOut, dim, log));
    }

    @Override
    public Tensor indexSelect(Tensor x, int dim, Tensor index) {
        return op("index_select", () -> Indexing.indexSelect(ctx, x, dim, index));
    }

    @Override
    public Tensor indexAdd(int[] shape, int dim, Tensor index, Tensor src) {
        return op("index_add", () -> Indexing.indexAdd(ctx, shape, dim, index, src));
    }

    @Override
    public Tensor gather(Tensor x, int dim, Tensor index) {
        return op("gather", () -> Indexing.gather(ctx, x, dim, index));
    }

    @Override
    public Tensor scatterAdd(int[] shape, int dim, Tensor index, Tensor src) {
        return op("scatter_add", () -> Indexing.scatterAdd(ctx, shape, dim, index, src));
    }

    @Override
    public void fillRandom(Tensor out, Distribution distribution, long seed, long offset) {
        op("fill_random", () -> RandomAndAdam.fillRandom(ctx, out, distribution, seed, offset));
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step) {
        op("adam_step", () -> RandomAndAdam.adamStep(ctx, param, grad, m, v, step));
    }

    // Fused dropout and cross-entropy.

    @Override
    public Tensor dropout(Tensor x, double p, long seed, long offset) {
        return op("dropout", () -> RandomAndAdam.dropout(ctx, x, p, seed, offset));
    }

    @Override
    public Tensor[] crossEntropy(Tensor logits, Tensor targets, Tensor classWeights, double labelSmoothing) {
        return op("cross_entropy", () -> CrossEntropy.forward(ctx, logits, targets, classWeights, labelSmoothing));
    }

    @Override
    public Tensor crossEntropyBackward(Tensor logits, Tensor targets, Tensor classWeights, Tensor rowMax, Tensor logSum, Tensor gradLoss, double labelSmoothing) {
        return op("cross_entropy_backward", () -> CrossEntropy.backward(ctx, logits, targets, classWeights, rowMax, logSum, gradLoss, labelSmoothing));
    }
}

package dpvm.kernels;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.DType;
import dpvm.tensor.Tensor;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Training-mode batch norm through cuDNN's legacy API, the {@code cudnn} variant of {@link KernelVariants#BATCH_NORM}
 * and {@link KernelVariants#BATCH_NORM_BACKWARD}, so the kernel lab can time it against batchnorm.cu on the same
 * operands. x is described as [N, C, inner, 1] (dense, so spatial mode's per-channel statistics are the same
 * for any rank); absent weight and bias are passed as ones and zeros, which cuDNN requires. The biased variance
 * comes from cuDNN's running variance with an averaging factor of 1 (the unbiased batch variance) times
 * (n - 1) / n.
 */
final class CudnnBatchNorm {
    /** cuDNN refuses an epsilon below CUDNN_BN_MIN_EPSILON (0 since cuDNN 8; 1e-5 before). */
    static final double MIN_EPSILON = cudnn.CUDNN_BN_MIN_EPSILON;
    /** The epsilon the backward passes: cuDNN reads the saved statistics instead, but still checks it. */
    private static final double BACKWARD_EPSILON = Math.max(MIN_EPSILON, 1e-5);

    private CudnnBatchNorm() {}

    static String whyNot(double eps) {
        return eps < MIN_EPSILON ? "cuDNN's batch norm needs eps >= " + MIN_EPSILON + ", got " + eps : null;
    }

    /** An [N, C, inner, 1] descriptor of x and the [1, C, 1, 1] one of the per-channel operands. */
    private record Descriptors(cudnnTensorStruct x, cudnnTensorStruct channel) implements AutoCloseable {
        static Descriptors of(int[] shape, DType dtype) {
            int inner = 1;
            for (int i = 2; i < shape.length; i++) inner *= shape[i];
            int type = dtype == DType.FLOAT64 ? cudnn.CUDNN_DATA_DOUBLE : cudnn.CUDNN_DATA_FLOAT;
            Descriptors d = new Descriptors(new cudnnTensorStruct(), new cudnnTensorStruct());
            DnnHandle.check(cudnn.cudnnCreateTensorDescriptor(d.x), "cudnnCreateTensorDescriptor");
            DnnHandle.check(cudnn.cudnnCreateTensorDescriptor(d.channel), "cudnnCreateTensorDescriptor");
            int[] dims = {shape[0], shape[1], inner, 1};
            DnnHandle.check(cudnn.cudnnSetTensorNdDescriptor(d.x, type, 4, new IntPointer(dims), new IntPointer(shape[1] * inner, inner, 1, 1)),
                    "cudnnSetTensorNdDescriptor(x) " + java.util.Arrays.toString(dims));
            DnnHandle.check(cudnn.cudnnDeriveBNTensorDescriptor(d.channel, d.x, cudnn.CUDNN_BATCHNORM_SPATIAL), "cudnnDeriveBNTensorDescriptor");
            return d;
        }

        @Override
        public void close() {
            cudnn.cudnnDestroyTensorDescriptor(x);
            cudnn.cudnnDestroyTensorDescriptor(channel);
        }
    }

    private static Pointer scalar(DType t, double v) {
        return t == DType.FLOAT64 ? new DoublePointer(v) : new FloatPointer((float) v);
    }

    private static Pointer at(Tensor t) {
        return Cuda.at(Ctx.ptr(t));
    }

    /** {y, mean, rstd, var} of a dense x; weight and bias dense or null. */
    static Tensor[] forward(Ctx c, Tensor x, Tensor weight, Tensor bias, double eps) {
        int channels = x.shape()[1];
        long n = x.numel() / channels;
        DType t = x.dtype();
        Tensor y = c.empty(x.shape(), t), mean = c.empty(new int[] {channels}, t), rstd = c.empty(new int[] {channels}, t);
        Tensor scale = weight != null ? weight : Transfers.fill(c, new int[] {channels}, t, 1);
        Tensor shift = bias != null ? bias : Transfers.fill(c, new int[] {channels}, t, 0);
        Tensor runningMean = Transfers.fill(c, new int[] {channels}, t, 0), unbiased = Transfers.fill(c, new int[] {channels}, t, 0);
        try (Descriptors d = Descriptors.of(x.shape(), t); Pointer one = scalar(t, 1); Pointer zero = scalar(t, 0)) {
            DnnHandle.check(cudnn.cudnnBatchNormalizationForwardTraining(c.dev.dnn().raw(), cudnn.CUDNN_BATCHNORM_SPATIAL, one, zero,
                    d.x(), at(x), d.x(), at(y), d.channel(), at(scale), at(shift), 1.0, at(runningMean), at(unbiased), eps, at(mean), at(rstd)),
                    "cudnnBatchNormalizationForwardTraining");
        }
        Tensor var;
        try (Tensor factor = Transfers.fill(c, new int[] {1}, t, (n - 1.0) / n)) {
            var = Elementwise.binary(c, Binary.MUL, unbiased, factor);
        }
        runningMean.close();
        unbiased.close();
        if (weight == null) scale.close();
        if (bias == null) shift.close();
        return new Tensor[] {y, mean, rstd, var};
    }

    /** {dx, dweight, dbias} from dense operands; the saved mean and rstd are the forward's. */
    static Tensor[] backward(Ctx c, Tensor gy, Tensor x, Tensor mean, Tensor rstd, Tensor weight, boolean weightGrad, boolean biasGrad) {
        int channels = x.shape()[1];
        DType t = x.dtype();
        Tensor dx = c.empty(x.shape(), t), dw = c.empty(new int[] {channels}, t), db = c.empty(new int[] {channels}, t);
        Tensor scale = weight != null ? weight : Transfers.fill(c, new int[] {channels}, t, 1);
        try (Descriptors d = Descriptors.of(x.shape(), t); Pointer one = scalar(t, 1); Pointer zero = scalar(t, 0)) {
            DnnHandle.check(cudnn.cudnnBatchNormalizationBackward(c.dev.dnn().raw(), cudnn.CUDNN_BATCHNORM_SPATIAL, one, zero, one, zero,
                    d.x(), at(x), d.x(), at(gy), d.x(), at(dx), d.channel(), at(scale), at(dw), at(db), BACKWARD_EPSILON, at(mean), at(rstd)),
                    "cudnnBatchNormalizationBackward");
        }
        if (weight == null) scale.close();
        if (!weightGrad) {
            dw.close();
            dw = null;
        }
        if (!biasGrad) {
            db.close();
            db = null;
        }
        return new Tensor[] {dx, dw, db};
    }
}

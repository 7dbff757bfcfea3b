package dpvm.kernels;

import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.DType;
import org.bytedeco.cuda.global.cudnn;

import java.util.Map;

/** Which cuDNN algorithm the backend chose for a convolution (see {@link Convolution}), by name, for reports. */
public final class CudnnAlgorithms {
    public enum Direction { FORWARD, BACKWARD_DATA, BACKWARD_FILTER }

    private static final Map<Integer, String> FORWARD = Map.of(
            cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, "IMPLICIT_GEMM",
            cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, "IMPLICIT_PRECOMP_GEMM",
            cudnn.CUDNN_CONVOLUTION_FWD_ALGO_GEMM, "GEMM",
            cudnn.CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, "DIRECT",
            cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT, "FFT",
            cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, "FFT_TILING",
            cudnn.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, "WINOGRAD",
            cudnn.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, "WINOGRAD_NONFUSED");
    private static final Map<Integer, String> BACKWARD_DATA = Map.of(
            cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, "ALGO_0",
            cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, "ALGO_1",
            cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT, "FFT",
            cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING, "FFT_TILING",
            cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD, "WINOGRAD",
            cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED, "WINOGRAD_NONFUSED");
    private static final Map<Integer, String> BACKWARD_FILTER = Map.of(
            cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, "ALGO_0",
            cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, "ALGO_1",
            cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT, "FFT",
            cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3, "ALGO_3",
            cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED, "WINOGRAD_NONFUSED",
            cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING, "FFT_TILING");

    private CudnnAlgorithms() {}

    /**
     * The algorithm chosen on {@code device} for this convolution in the current math mode and the workspace it
     * was given, e.g. "IMPLICIT_PRECOMP_GEMM (algorithm 1), workspace 2.3 MiB"; null before that direction ran.
     */
    public static String chosen(int device, Direction direction, int[] xShape, int[] wShape, ConvSpec spec, DType dtype) {
        long[] c = Convolution.chosen(device, xShape, wShape, spec, dtype);
        int i = direction.ordinal();
        int algo = (int) c[i];
        if (algo < 0) return null;
        Map<Integer, String> names = switch (direction) {
            case FORWARD -> FORWARD;
            case BACKWARD_DATA -> BACKWARD_DATA;
            case BACKWARD_FILTER -> BACKWARD_FILTER;
        };
        return String.format("%s (algorithm %d), workspace %.1f MiB", names.getOrDefault(algo, "unnamed"), algo, c[3 + i] / 1048576.0);
    }
}

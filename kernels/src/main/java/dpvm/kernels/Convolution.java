package dpvm.kernels;

import dpvm.kernels.memory.CachingAllocator;
import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.DType;
import dpvm.tensor.Tensor;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Convolution forward, backward-data and backward-filter through cuDNN's Nd descriptors (1-d convolutions run
 * as 2-d with a height of 1). For each shape, dtype, math mode, {@link Determinism} and autotune setting a
 * {@link Plan} is made once: descriptors plus, per direction, the first algorithm that succeeds within the
 * workspace limit ({@code -Ddpvm.cudnn.workspaceMiB}, default 1024) and, when determinism is required, is
 * deterministic, and its workspace size. First in the order cuDNN's heuristics rank them, or, with
 * {@code -Ddpvm.cudnn.benchmark=true}, in the order of their times measured once on the call's own operands
 * ({@code cudnnFind*AlgorithmEx}, as PyTorch's {@code cudnn.benchmark}; not while a graph is captured, where the
 * heuristics decide). Workspaces come from the caching allocator for the duration of one call.
 */
final class Convolution {
    private static final long WORKSPACE_LIMIT = Long.getLong("dpvm.cudnn.workspaceMiB", 1024) << 20;
    private static final Map<String, Plan> PLANS = new ConcurrentHashMap<>();

    private Convolution() {}

    /** Descriptors and chosen algorithms for one problem; algorithms are picked lazily per direction. */
    static final class Plan {
        final cudnnTensorStruct x = new cudnnTensorStruct(), y = new cudnnTensorStruct();
        final cudnnFilterStruct w = new cudnnFilterStruct();
        final cudnnConvolutionStruct conv = new cudnnConvolutionStruct();
        int fwdAlgo = -1, dataAlgo = -1, filterAlgo = -1;
        long fwdBytes, dataBytes, filterBytes;
    }

    private static int[] nd(int[] shape) {
        if (shape.length >= 4) return shape;
        return new int[] {shape[0], shape[1], 1, shape[2]};
    }

    private static int[] nd(int[] v, int neutral) {
        if (v.length >= 2) return v;
        return new int[] {neutral, v[0]};
    }

    static int[] outShape(int[] xs, int[] ws, ConvSpec s) {
        int sd = xs.length - 2;
        int[] out = new int[xs.length];
        out[0] = xs[0];
        out[1] = ws[0];
        for (int i = 0; i < sd; i++) {
            out[2 + i] = (xs[2 + i] + 2 * s.padding()[i] - s.dilation()[i] * (ws[2 + i] - 1) - 1) / s.stride()[i] + 1;
        }
        return out;
    }

    private static int[] contiguousStrides(int[] shape) {
        return dpvm.tensor.Shape.contiguousStrides(shape);
    }

    /** Whether -Ddpvm.cudnn.benchmark=true asks for algorithms by measured time (read when a plan is made). */
    static boolean autotune() {
        return Boolean.getBoolean("dpvm.cudnn.benchmark");
    }

    private static String key(int device, int[] xs, int[] ws, ConvSpec s, DType dtype, MathMode mode) {
        return Arrays.toString(xs) + Arrays.toString(ws) + Arrays.toString(s.stride()) + Arrays.toString(s.padding())
                + Arrays.toString(s.dilation()) + s.groups() + dtype + mode + device + (Determinism.required() ? " deterministic" : "")
                + (autotune() ? " measured" : "");
    }

    private static Plan plan(Ctx c, int[] xs, int[] ws, ConvSpec s, DType dtype) {
        MathMode mode = MathMode.get();
        return PLANS.computeIfAbsent(key(c.dev.index(), xs, ws, s, dtype, mode), k -> makePlan(xs, ws, s, dtype, mode));
    }

    /**
     * For reports: the cuDNN algorithms chosen so far for this problem in the current math mode, {forward,
     * backward-data, backward-filter} with -1 where that direction has not run, then their workspace bytes.
     */
    static long[] chosen(int device, int[] xs, int[] ws, ConvSpec s, DType dtype) {
        Plan p = PLANS.get(key(device, xs, ws, s, dtype, MathMode.get()));
        if (p == null) return new long[] {-1, -1, -1, 0, 0, 0};
        synchronized (p) {
            return new long[] {p.fwdAlgo, p.dataAlgo, p.filterAlgo, p.fwdBytes, p.dataBytes, p.filterBytes};
        }
    }

    private static Plan makePlan(int[] xs, int[] ws, ConvSpec s, DType dtype, MathMode mode) {
        Plan p = new Plan();
        int type = dtype == DType.FLOAT64 ? cudnn.CUDNN_DATA_DOUBLE : cudnn.CUDNN_DATA_FLOAT;
        int[] x = nd(xs), w = nd(ws), y = nd(outShape(xs, ws, s));
        int[] pad = nd(s.padding(), 0), stride = nd(s.stride(), 1), dil = nd(s.dilation(), 1);
        DnnHandle.check(cudnn.cudnnCreateTensorDescriptor(p.x), "cudnnCreateTensorDescriptor");
        DnnHandle.check(cudnn.cudnnCreateTensorDescriptor(p.y), "cudnnCreateTensorDescriptor");
        DnnHandle.check(cudnn.cudnnCreateFilterDescriptor(p.w), "cudnnCreateFilterDescriptor");
        DnnHandle.check(cudnn.cudnnCreateConvolutionDescriptor(p.conv), "cudnnCreateConvolutionDescriptor");
        DnnHandle.check(cudnn.cudnnSetTensorNdDescriptor(p.x, type, x.length, new IntPointer(x), new IntPointer(contiguousStrides(x))), "cudnnSetTensorNdDescriptor(x) " + Arrays.toString(x));
        DnnHandle.check(cudnn.cudnnSetTensorNdDescriptor(p.y, type, y.length, new IntPointer(y), new IntPointer(contiguousStrides(y))), "cudnnSetTensorNdDescriptor(y) " + Arrays.toString(y));
        DnnHandle.check(cudnn.cudnnSetFilterNdDescriptor(p.w, type, cudnn.CUDNN_TENSOR_NCHW, w.length, new IntPointer(w)), "cudnnSetFilterNdDescriptor " + Arrays.toString(w));
        // double data needs double compute; float data computes in float (TF32 only if the math mode allows)
        DnnHandle.check(cudnn.cudnnSetConvolutionNdDescriptor(p.conv, pad.length, new IntPointer(pad), new IntPointer(stride), new IntPointer(dil),
                cudnn.CUDNN_CROSS_CORRELATION, type), "cudnnSetConvolutionNdDescriptor");
        DnnHandle.check(cudnn.cudnnSetConvolutionGroupCount(p.conv, s.groups()), "cudnnSetConvolutionGroupCount");
        int math = mode == MathMode.FP32 || dtype == DType.FLOAT64 ? cudnn.CUDNN_FMA_MATH : cudnn.CUDNN_DEFAULT_MATH;
        DnnHandle.check(cudnn.cudnnSetConvolutionMathType(p.conv, math), "cudnnSetConvolutionMathType");
        return p;
    }

    private static final int CANDIDATES = 16;

    // FFT and Winograd algorithms trade accuracy for speed (errors well above float32 rounding); in FP32 mode
    // they are skipped unless -Ddpvm.cudnn.allowFft=true, so results meet the fp32 tolerance.
    private static final boolean ALLOW_APPROXIMATE = Boolean.getBoolean("dpvm.cudnn.allowFft");
    private static final java.util.Set<Integer> FWD_APPROX = java.util.Set.of(cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT,
            cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, cudnn.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, cudnn.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED);
    private static final java.util.Set<Integer> DATA_APPROX = java.util.Set.of(cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT,
            cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING, cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD, cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED);
    private static final java.util.Set<Integer> FILTER_APPROX = java.util.Set.of(cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT,
            cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING, cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD, cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED);

    /** One algorithm as cuDNN reports it (from any of the three perf-result structs). */
    private record Candidate(int algo, int status, long memory, int determinism) {}

    private static boolean usable(Candidate k, long workspaceLimit, java.util.Set<Integer> approximate) {
        if (k.status != cudnn.CUDNN_STATUS_SUCCESS || k.memory > workspaceLimit) return false;
        if (Determinism.required() && k.determinism != cudnn.CUDNN_DETERMINISTIC) return false;
        return ALLOW_APPROXIMATE || MathMode.get() != MathMode.FP32 || !approximate.contains(k.algo);
    }

    /** Runs cuDNN's measured search with a workspace of the given address and size; the candidates, fastest first. */
    private interface Measure {
        List<Candidate> run(long workspace, long bytes);
    }

    /**
     * {algorithm, workspace bytes}: the first usable candidate in the heuristics' order, or when autotuning, in
     * the measured order (given a workspace as large as the largest usable candidate needs); null when none is.
     */
    private static long[] choose(Ctx c, List<Candidate> heuristics, Measure measure, java.util.Set<Integer> approximate) {
        List<Candidate> ranked = heuristics;
        long limit = WORKSPACE_LIMIT;
        if (autotune() && !c.dev.capturing()) {
            long most = 0;
            for (Candidate k : heuristics) if (usable(k, WORKSPACE_LIMIT, approximate)) most = Math.max(most, k.memory);
            CachingAllocator.Block ws = workspace(c, most);
            try {
                ranked = measure.run(ws == null ? 0 : ws.address, most);
            } finally {
                if (ws != null) c.dev.allocator().free(ws);
            }
            limit = most;
        }
        for (Candidate k : ranked) if (usable(k, limit, approximate)) return new long[] {k.algo, k.memory};
        return null;
    }

    /** The candidates cuDNN wrote into a perf-result array (each perf struct type has the same fields). */
    private static <P extends Pointer> List<Candidate> candidates(P perf, IntPointer found, java.util.function.Function<P, Candidate> read) {
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < found.get(); i++) out.add(read.apply(perf.position(i)));
        perf.position(0); // the array is passed on from its start again
        return out;
    }

    /** What an algorithm had to be, for the error when none was. */
    private static String wanted() {
        return " that runs within the " + (WORKSPACE_LIMIT >> 20) + " MiB workspace limit (-Ddpvm.cudnn.workspaceMiB)"
                + (ALLOW_APPROXIMATE || MathMode.get() != MathMode.FP32 ? "" : ", is not FFT or Winograd in fp32 math (-Ddpvm.cudnn.allowFft)")
                + (Determinism.required() ? ", and is deterministic (-Ddpvm.cuda.deterministic)" : "");
    }

    private static Pointer one(DType t) {
        return t == DType.FLOAT64 ? new DoublePointer(1.0) : new FloatPointer(1f);
    }

    private static Pointer zero(DType t) {
        return t == DType.FLOAT64 ? new DoublePointer(0.0) : new FloatPointer(0f);
    }

    static Tensor forward(Ctx c, Tensor x, Tensor w, ConvSpec s) {
        Tensor cx = c.dense(x), cw = c.dense(w);
        Tensor y = c.empty(outShape(x.shape(), w.shape(), s), x.dtype());
        var h = c.dev.dnn().raw();
        Plan p = plan(c, x.shape(), w.shape(), s, x.dtype());
        synchronized (p) {
            if (p.fwdAlgo < 0) {
                long[] a;
                try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(CANDIDATES); IntPointer found = new IntPointer(1)) {
                    DnnHandle.check(cudnn.cudnnGetConvolutionForwardAlgorithm_v7(h, p.x, p.w, p.conv, p.y, CANDIDATES, found, perf), "cudnnGetConvolutionForwardAlgorithm_v7");
                    java.util.function.Supplier<List<Candidate>> read = () -> candidates(perf, found, q -> new Candidate(q.algo(), q.status(), q.memory(), q.determinism()));
                    a = choose(c, read.get(), (ws, bytes) -> {
                        DnnHandle.check(cudnn.cudnnFindConvolutionForwardAlgorithmEx(h, p.x, Cuda.at(Ctx.ptr(cx)), p.w, Cuda.at(Ctx.ptr(cw)), p.conv, p.y, Cuda.at(Ctx.ptr(y)),
                                CANDIDATES, found, perf, ws == 0 ? null : Cuda.at(ws), bytes), "cudnnFindConvolutionForwardAlgorithmEx");
                        return read.get();
                    }, FWD_APPROX);
                }
                if (a == null) throw new CudaException("cuDNN offers no forward algorithm for x " + Arrays.toString(x.shape()) + " w " + Arrays.toString(w.shape()) + wanted());
                p.fwdAlgo = (int) a[0];
                p.fwdBytes = a[1];
            }
        }
        CachingAllocator.Block ws = workspace(c, p.fwdBytes);
        try (Pointer a = one(x.dtype()); Pointer b = zero(x.dtype())) {
            DnnHandle.check(cudnn.cudnnConvolutionForward(h, a, p.x, Cuda.at(Ctx.ptr(cx)), p.w, Cuda.at(Ctx.ptr(cw)), p.conv, p.fwdAlgo,
                    ws == null ? null : Cuda.at(ws.address), p.fwdBytes, b, p.y, Cuda.at(Ctx.ptr(y))), "cudnnConvolutionForward");
        } finally {
            if (ws != null) c.dev.allocator().free(ws);
        }
        return y;
    }

    static Tensor backwardData(Ctx c, Tensor gy, Tensor w, int[] xShape, ConvSpec s) {
        Tensor cg = c.dense(gy), cw = c.dense(w);
        Tensor dx = c.empty(xShape, gy.dtype());
        var h = c.dev.dnn().raw();
        Plan p = plan(c, xShape, w.shape(), s, gy.dtype());
        synchronized (p) {
            if (p.dataAlgo < 0) {
                long[] a;
                try (cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(CANDIDATES); IntPointer found = new IntPointer(1)) {
                    DnnHandle.check(cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(h, p.w, p.y, p.conv, p.x, CANDIDATES, found, perf), "cudnnGetConvolutionBackwardDataAlgorithm_v7");
                    java.util.function.Supplier<List<Candidate>> read = () -> candidates(perf, found, q -> new Candidate(q.algo(), q.status(), q.memory(), q.determinism()));
                    a = choose(c, read.get(), (ws, bytes) -> {
                        DnnHandle.check(cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(h, p.w, Cuda.at(Ctx.ptr(cw)), p.y, Cuda.at(Ctx.ptr(cg)), p.conv, p.x, Cuda.at(Ctx.ptr(dx)),
                                CANDIDATES, found, perf, ws == 0 ? null : Cuda.at(ws), bytes), "cudnnFindConvolutionBackwardDataAlgorithmEx");
                        return read.get();
                    }, DATA_APPROX);
                }
                if (a == null) throw new CudaException("cuDNN offers no backward-data algorithm for x " + Arrays.toString(xShape) + " w " + Arrays.toString(w.shape()) + wanted());
                p.dataAlgo = (int) a[0];
                p.dataBytes = a[1];
            }
        }
        CachingAllocator.Block ws = workspace(c, p.dataBytes);
        try (Pointer a = one(gy.dtype()); Pointer b = zero(gy.dtype())) {
            DnnHandle.check(cudnn.cudnnConvolutionBackwardData(h, a, p.w, Cuda.at(Ctx.ptr(cw)), p.y, Cuda.at(Ctx.ptr(cg)), p.conv, p.dataAlgo,
                    ws == null ? null : Cuda.at(ws.address), p.dataBytes, b, p.x, Cuda.at(Ctx.ptr(dx))), "cudnnConvolutionBackwardData");
        } finally {
            if (ws != null) c.dev.allocator().free(ws);
        }
        return dx;
    }

    static Tensor backwardFilter(Ctx c, Tensor x, Tensor gy, int[] wShape, ConvSpec s) {
        Tensor cx = c.dense(x), cg = c.dense(gy);
        Tensor dw = c.empty(wShape, gy.dtype());
        var h = c.dev.dnn().raw();
        Plan p = plan(c, x.shape(), wShape, s, gy.dtype());
        synchronized (p) {
            if (p.filterAlgo < 0) {
                long[] a;
                try (cudnnConvolutionBwdFilterAlgoPerf_t perf = new cudnnConvolutionBwdFilterAlgoPerf_t(CANDIDATES); IntPointer found = new IntPointer(1)) {
                    DnnHandle.check(cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, p.x, p.y, p.conv, p.w, CANDIDATES, found, perf), "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
                    java.util.function.Supplier<List<Candidate>> read = () -> candidates(perf, found, q -> new Candidate(q.algo(), q.status(), q.memory(), q.determinism()));
                    a = choose(c, read.get(), (ws, bytes) -> {
                        DnnHandle.check(cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(h, p.x, Cuda.at(Ctx.ptr(cx)), p.y, Cuda.at(Ctx.ptr(cg)), p.conv, p.w, Cuda.at(Ctx.ptr(dw)),
                                CANDIDATES, found, perf, ws == 0 ? null : Cuda.at(ws), bytes), "cudnnFindConvolutionBackwardFilterAlgorithmEx");
                        return read.get();
                    }, FILTER_APPROX);
                }
                if (a == null) throw new CudaException("cuDNN offers no backward-filter algorithm for x " + Arrays.toString(x.shape()) + " w " + Arrays.toString(wShape) + wanted());
                p.filterAlgo = (int) a[0];
                p.filterBytes = a[1];
            }
        }
        CachingAllocator.Block ws = workspace(c, p.filterBytes);
        try (Pointer a = one(gy.dtype()); Pointer b = zero(gy.dtype())) {
            DnnHandle.check(cudnn.cudnnConvolutionBackwardFilter(h, a, p.x, Cuda.at(Ctx.ptr(cx)), p.y, Cuda.at(Ctx.ptr(cg)), p.conv, p.filterAlgo,
                    ws == null ? null : Cuda.at(ws.address), p.filterBytes, b, p.w, Cuda.at(Ctx.ptr(dw))), "cudnnConvolutionBackwardFilter");
        } finally {
            if (ws != null) c.dev.allocator().free(ws);
        }
        return dw;
    }

    private static CachingAllocator.Block workspace(Ctx c, long bytes) {
        return bytes == 0 ? null : c.dev.allocator().allocate(bytes, c.dev.stream());
    }

}

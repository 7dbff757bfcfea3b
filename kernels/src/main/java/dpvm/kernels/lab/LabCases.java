package dpvm.kernels.lab;

import dpvm.kernels.CudnnAlgorithms;
import dpvm.kernels.CudnnAlgorithms.Direction;
import dpvm.kernels.KernelVariants;
import dpvm.tensor.Backend;
import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.Backend.PoolSpec;
import dpvm.tensor.Backends;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Functional;
import dpvm.tensor.Ops;
import dpvm.tensor.Tensor;

import java.util.List;
import java.util.function.Function;

import static dpvm.kernels.lab.LabInputs.between;
import static dpvm.kernels.lab.LabInputs.indices;
import static dpvm.kernels.lab.LabInputs.mask;
import static dpvm.kernels.lab.LabInputs.uniform;

/**
 * Every kernel the lab runs, one {@link LabCase} each: float32 operands, minimum bytes moved for memory-bound
 * kernels (each input read once, each output written once) and flops for contractions.
 */
public final class LabCases {
    private static final double F = 4, I64 = 8;
    private static final Backend.AdamStep ADAM = new Backend.AdamStep(1e-3, 0.9, 0.999, 1e-8, 0.01, true, 10);
    /** ResNet3d's stem pooling: 3x3x3 windows, stride 2, padding 1. */
    private static final PoolSpec POOL = new PoolSpec(new int[] {3, 3, 3}, new int[] {2, 2, 2}, new int[] {1, 1, 1}, new int[] {1, 1, 1}, false, false);

    private static final List<LabCase> ALL = List.of(
            binary("add", Backend.Binary.ADD, "+", DType.FLOAT32, 1000),
            binary("mul", Backend.Binary.MUL, "*", DType.FLOAT32, 1000),
            // 1001 checks the vector kernel's tail too: 125 vectors of eight and one element
            binary("add-bf16", Backend.Binary.ADD, "+", DType.BFLOAT16, 1001),
            LabCase.of("exp", "N", "elementwise exp", sizes(1 << 26), sizes(1001),
                    s -> unary(s[0], Tensor::exp)).varying(KernelVariants.UNARY),
            LabCase.of("gelu", "N", "elementwise exact GELU", sizes(1 << 26), sizes(1000),
                    s -> unary(s[0], Functional::gelu)).varying(KernelVariants.UNARY),
            LabCase.of("gelu-tanh", "N", "tanh GELU, a fused program of seven ops (kernel generated at run time)", sizes(1 << 26), sizes(1000),
                    s -> unary(s[0], Functional::geluTanh)),
            LabCase.of("batchnorm", "N C S", "batch norm in eval mode on [N, C, S], a fused program with per-channel operands", sizes(32, 64, 50176), sizes(2, 3, 50),
                    s -> Problem.memory(F * (2.0 * s[0] * s[1] * s[2] + 4 * s[1]),
                            () -> new Tensor[] {uniform(1, s[0], s[1], s[2]), uniform(2, s[1]), between(3, 0.5, 2, s[1]), uniform(4, s[1]), uniform(5, s[1])},
                            in -> one(Functional.batchNorm(in[0], in[1], in[2], in[3], in[4], false, 0.1, 1e-5)))),
            LabCase.of("batchnorm-train", "N C S", "training-mode batch norm of [N, C, S] with weight and bias: channel statistics, then the normalisation",
                    sizes(32, 64, 50176), sizes(3, 4, 3000),
                    s -> Problem.memory(F * (2.0 * s[0] * s[1] * s[2] + 5 * s[1]),
                            () -> new Tensor[] {uniform(1, s[0], s[1], s[2]), uniform(2, s[1]), uniform(3, s[1])},
                            in -> on(in[0]).batchNorm(in[0], in[1], in[2], 1e-5)).outputs("y", "mean", "rstd", "var")).varying(KernelVariants.BATCH_NORM),
            LabCase.of("batchnorm-backward", "N C S", "training-mode batch norm gradients dx, dweight, dbias of [N, C, S]", sizes(32, 64, 50176), sizes(3, 4, 3000),
                    s -> Problem.memory(F * (3.0 * s[0] * s[1] * s[2] + 5 * s[1]), () -> {
                        Tensor x = uniform(1, s[0], s[1], s[2]), w = uniform(2, s[1]);
                        Tensor[] stats = Backends.of(Device.CPU).batchNorm(x, w, null, 1e-5);
                        return new Tensor[] {uniform(3, s[0], s[1], s[2]), x, w, stats[1], stats[2]};
                    }, in -> on(in[0]).batchNormBackward(in[0], in[1], in[3], in[4], in[2], true, true)).outputs("dx", "dweight", "dbias")).varying(KernelVariants.BATCH_NORM_BACKWARD),
            LabCase.of("softmax", "R C", "softmax over each row of [R, C], one block per row", sizes(8192, 4096), sizes(6, 300),
                    s -> rows(s, 2 * F, x -> x.softmax(1))).varying(KernelVariants.SOFTMAX),
            LabCase.of("logsoftmax", "R C", "log-softmax over each row of [R, C]", sizes(8192, 4096), sizes(6, 300),
                    s -> rows(s, 2 * F, x -> x.logSoftmax(1))).varying(KernelVariants.SOFTMAX),
            LabCase.of("softmax-backward", "R C", "softmax gradient from y and dy, rows of [R, C]", sizes(8192, 4096), sizes(6, 300),
                    s -> Problem.memory(3 * F * s[0] * s[1], () -> {
                        Tensor y = uniform(1, s[0], s[1]).softmax(1);
                        return new Tensor[] {y, uniform(2, s[0], s[1])};
                    }, in -> one(on(in[0]).softmaxBackward(in[0], in[1], 1, false)))).varying(KernelVariants.SOFTMAX_BACKWARD),
            LabCase.of("layernorm", "R C", "layer norm of each row of [R, C] with weight and bias", sizes(8192, 4096), sizes(6, 300),
                    s -> Problem.memory(F * (2.0 * s[0] * s[1] + 2 * s[1] + 2 * s[0]),
                            () -> new Tensor[] {uniform(1, s[0], s[1]), uniform(2, s[1]), uniform(3, s[1])},
                            in -> on(in[0]).layerNorm(in[0], 1, in[1], in[2], 1e-5)).outputs("y", "mean", "rstd"))
                    .varying(KernelVariants.LAYER_NORM),
            LabCase.of("layernorm-backward", "R C", "layer norm gradients dx, dweight, dbias of [R, C]", sizes(8192, 4096), sizes(6, 300),
                    s -> Problem.memory(F * (3.0 * s[0] * s[1] + 3 * s[1] + 2 * s[0]), () -> {
                        Tensor x = uniform(1, s[0], s[1]), w = uniform(2, s[1]);
                        Tensor[] stats = Backends.of(Device.CPU).layerNorm(x, 1, w, null, 1e-5);
                        return new Tensor[] {uniform(3, s[0], s[1]), x, w, stats[1], stats[2]};
                    }, in -> on(in[0]).layerNormBackward(in[0], in[1], in[3], in[4], in[2], 1, true, true)).outputs("dx", "dweight", "dbias"))
                    .varying(KernelVariants.LAYER_NORM_BACKWARD),
            LabCase.of("sum", "R C", "row sums of [R, C]", sizes(8192, 4096), sizes(6, 300),
                    s -> rows(s, F, x -> x.sum(1, false), s[0])).varying(KernelVariants.REDUCE),
            LabCase.of("max", "R C", "row maxima of [R, C]", sizes(8192, 4096), sizes(6, 300),
                    s -> rows(s, F, x -> x.max(1, false), s[0])).varying(KernelVariants.REDUCE),
            LabCase.of("time-sum", "N T D", "sums over T of [N, T, D] (a mean over time of frame features)", sizes(64, 256, 512), sizes(3, 50, 40),
                    s -> Problem.memory(F * ((double) s[0] * s[1] * s[2] + (double) s[0] * s[2]), () -> new Tensor[] {uniform(1, s[0], s[1], s[2])},
                            in -> one(in[0].sum(1, false)))).varying(KernelVariants.REDUCE, "rows", "cols"),
            LabCase.of("channel-sum", "N C S", "per-channel sums of [N, C, S] over N and S (batch-norm statistics)", sizes(32, 64, 50176), sizes(3, 4, 3000),
                    s -> Problem.memory(F * ((double) s[0] * s[1] * s[2] + s[1]), () -> new Tensor[] {uniform(1, s[0], s[1], s[2])},
                            in -> one(Functional.sum(in[0], new int[] {0, 2}, false)))).varying(KernelVariants.REDUCE, "rows", "split"),
            LabCase.of("column-sum", "R C", "column sums of [R, C] (reducing the leading dim, as bias gradients do)", sizes(8192, 4096), sizes(6, 300),
                    s -> rows(s, F, x -> x.sum(0, false), s[1])).varying(KernelVariants.REDUCE),
            LabCase.of("copy", "R C", "dense copy of [R, C]", sizes(4096, 4096), sizes(30, 40),
                    s -> rows(s, 2 * F, x -> on(x).copy(x, DType.FLOAT32))).varying(KernelVariants.COPY),
            LabCase.of("transpose", "R C", "[R, C] transposed into a dense [C, R] (strided read)", sizes(4096, 4096), sizes(30, 40),
                    s -> rows(s, 2 * F, x -> x.mT().contiguous())).varying(KernelVariants.COPY, "strided"),
            LabCase.of("where", "N", "where(condition, a, b) on float32 vectors", sizes(1 << 26), sizes(1000),
                    s -> Problem.memory(4 * F * s[0], () -> new Tensor[] {mask(1, s[0]), uniform(2, s[0]), uniform(3, s[0])},
                            in -> one(on(in[0]).where(in[0], in[1], in[2])))),
            LabCase.of("index-select", "R C N", "N rows picked from [R, C] by int64 indices", sizes(65536, 1024, 65536), sizes(50, 30, 40),
                    s -> Problem.memory(2 * F * s[2] * s[1] + I64 * s[2], () -> new Tensor[] {uniform(1, s[0], s[1]), indices(2, s[0], s[2])},
                            in -> one(on(in[0]).indexSelect(in[0], 0, in[1])))),
            LabCase.of("gather", "R C K", "gather along dim 1 of [R, C] by int64 indices [R, K]", sizes(8192, 4096, 1024), sizes(20, 30, 10),
                    s -> Problem.memory((2 * F + I64) * s[0] * s[2], () -> new Tensor[] {uniform(1, s[0], s[1]), indices(2, s[1], s[0], s[2])},
                            in -> one(on(in[0]).gather(in[0], 1, in[1])))),
            LabCase.of("adam", "N", "fused AdamW step on N parameters (param, grad, m, v)", sizes(1 << 26), sizes(1000),
                    s -> Problem.memory(7 * F * s[0], () -> new Tensor[] {uniform(1, s[0]), uniform(2, s[0]), between(3, -0.1, 0.1, s[0]), between(4, 0, 1, s[0])},
                            in -> {
                                on(in[0]).adamStep(in[0], in[1], in[2], in[3], ADAM);
                                return new Tensor[] {in[0], in[2], in[3]};
                            }).outputs("param", "m", "v")),
            LabCase.of("dropout", "N", "fused dropout, p = 0.1, mask drawn inline", sizes(1 << 26), sizes(1000),
                    s -> Problem.memory(2 * F * s[0], () -> new Tensor[] {uniform(1, s[0])}, in -> one(on(in[0]).dropout(in[0], 0.1, 1234, 0)))),
            LabCase.of("cross-entropy", "N C", "fused cross-entropy of logits [N, C] against int64 targets", sizes(65536, 1000), sizes(20, 30),
                    s -> Problem.memory(F * s[0] * s[1] + (I64 + 4 * F) * s[0], () -> new Tensor[] {uniform(1, s[0], s[1]), indices(2, s[1], s[0])},
                            in -> on(in[0]).crossEntropy(in[0], in[1], null, 0)).outputs("loss", "rowMax", "logSum", "targetWeight")),
            LabCase.of("maxpool3d", "N C D H W", "3-d max pooling, 3x3x3 windows, stride 2, padding 1, with argmax", sizes(8, 64, 16, 112, 112), sizes(1, 2, 5, 6, 7),
                    s -> Problem.memory(F * s[0] * s[1] * ((double) s[2] * s[3] * s[4] + 2.0 * pooled(s[2]) * pooled(s[3]) * pooled(s[4])),
                            () -> new Tensor[] {uniform(1, s)}, in -> on(in[0]).maxPool(in[0], POOL)).outputs("y", "argmax")),
            LabCase.of("maxpool3d-backward", "N C D H W", "its input gradient: each input gathers from the windows it won (no atomics)", sizes(8, 64, 16, 112, 112), sizes(1, 2, 5, 6, 7),
                    s -> Problem.memory(F * s[0] * s[1] * ((double) s[2] * s[3] * s[4] + 2.0 * pooled(s[2]) * pooled(s[3]) * pooled(s[4])), () -> {
                        Tensor[] yArg = Backends.of(Device.CPU).maxPool(uniform(1, s), POOL);
                        return new Tensor[] {uniform(2, yArg[0].shape()), yArg[1]};
                    }, in -> one(on(in[0]).maxPoolBackward(in[0], in[1], s, POOL)))),
            LabCase.of("index-add", "V D N", "an embedding's gradient: N rows of [N, D] added into [V, D] at int64 indices", sizes(32768, 768, 8192), sizes(30, 20, 200),
                    s -> Problem.memory(F * ((double) s[2] * s[1] + (double) s[0] * s[1]) + I64 * s[2], () -> new Tensor[] {uniform(1, s[2], s[1]), indices(2, s[0], s[2])},
                            in -> one(on(in[0]).indexAdd(new int[] {s[0], s[1]}, 0, in[1], in[0])))).varying(KernelVariants.INDEX_ADD),
            LabCase.of("scatter-add", "R C K", "gather's gradient: [R, K] added into [R, C] along dim 1 at int64 indices", sizes(8192, 1024, 8), sizes(20, 30, 10),
                    s -> Problem.memory(F * ((double) s[0] * s[2] + (double) s[0] * s[1]) + I64 * s[0] * s[2], () -> new Tensor[] {uniform(1, s[0], s[2]), indices(2, s[1], s[0], s[2])},
                            in -> one(on(in[0]).scatterAdd(new int[] {s[0], s[1]}, 1, in[1], in[0])))).varying(KernelVariants.SCATTER_ADD),
            LabCase.of("matmul", "M K N", "[M, K] x [K, N] through cuBLAS (with the front end's dispatch)", sizes(4096, 4096, 4096), sizes(20, 30, 40),
                    s -> Problem.compute(2.0 * s[0] * s[1] * s[2], s[0], s[1], s[2], () -> new Tensor[] {uniform(1, s[0], s[1]), uniform(2, s[1], s[2])},
                            in -> one(in[0].matmul(in[1])))),
            LabCase.of("matmul-bf16", "M K N", "[M, K] x [K, N] of bfloat16 tensors through cuBLAS (bf16 tensor cores, float32 accumulation)",
                    sizes(4096, 4096, 4096), sizes(20, 30, 40),
                    s -> Problem.compute(2.0 * s[0] * s[1] * s[2], s[0], s[1], s[2],
                            () -> new Tensor[] {uniform(1, s[0], s[1]).cast(DType.BFLOAT16), uniform(2, s[1], s[2]).cast(DType.BFLOAT16)},
                            in -> one(in[0].matmul(in[1])))),
            conv("conv3d", Direction.FORWARD, "3-d convolution forward, stride 1, same padding (cuDNN)"),
            conv("conv3d-backward-data", Direction.BACKWARD_DATA, "3-d convolution input gradient (cuDNN)"),
            conv("conv3d-backward-filter", Direction.BACKWARD_FILTER, "3-d convolution weight gradient (cuDNN)"));

    private LabCases() {}

    public static List<LabCase> all() {
        return ALL;
    }

    /** The kernel called {@code name}; throws naming the lab's kernels if there is none. */
    public static LabCase named(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no lab kernel called \"" + name + "\"; kernels: " + String.join(", ", ALL.stream().map(LabCase::name).toList())));
    }

    private static int[] sizes(int... s) {
        return s;
    }

    private static Backend on(Tensor t) {
        return Backends.of(t.device());
    }

    private static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }

    private static LabCase binary(String name, Backend.Binary op, String symbol, DType dtype, int small) {
        return LabCase.of(name, "N", "elementwise a " + symbol + " b of " + dtype + " vectors", sizes(1 << 26), sizes(small),
                s -> Problem.memory(3.0 * dtype.byteSize() * s[0], () -> new Tensor[] {uniform(1, s[0]).cast(dtype), uniform(2, s[0]).cast(dtype)},
                        in -> one(Ops.binary(op, in[0], in[1])))).varying(KernelVariants.BINARY);
    }

    private static Problem unary(int n, Function<Tensor, Tensor> f) {
        return Problem.memory(2 * F * n, () -> new Tensor[] {uniform(1, n)}, in -> one(f.apply(in[0])));
    }

    /** An op on one [R, C] input that reads it once and writes {@code perElement} bytes per element in all. */
    private static Problem rows(int[] s, double perElement, Function<Tensor, Tensor> f) {
        return Problem.memory(perElement * s[0] * s[1], () -> new Tensor[] {uniform(1, s[0], s[1])}, in -> one(f.apply(in[0])));
    }

    /** A reduction of [R, C] into {@code outputs} values: reads R C floats, writes the outputs. */
    private static Problem rows(int[] s, double perElement, Function<Tensor, Tensor> f, int outputs) {
        return Problem.memory(perElement * ((double) s[0] * s[1] + outputs), () -> new Tensor[] {uniform(1, s[0], s[1])}, in -> one(f.apply(in[0])));
    }

    private static int pooled(int size) {
        return (size + 2 * POOL.padding()[0] - POOL.kernel()[0]) / POOL.stride()[0] + 1;
    }

    /**
     * One direction of a 3-d convolution of x [N, C, D, H, W] with w [K, C, KS, KS, KS]; its flops are those of
     * the implicit GEMM cuDNN runs, and the cuBLAS reference is a GEMM of that direction's shape.
     */
    private static LabCase conv(String name, Direction dir, String about) {
        return LabCase.of(name, "N C K D H W KS", about, sizes(8, 64, 64, 16, 56, 56, 3), sizes(1, 2, 3, 4, 5, 6, 3), s -> {
            int n = s[0], c = s[1], k = s[2], ks = s[6], taps = ks * ks * ks;
            ConvSpec spec = new ConvSpec(new int[] {1, 1, 1}, new int[] {ks / 2, ks / 2, ks / 2}, new int[] {1, 1, 1}, 1);
            int[] x = {n, c, s[3], s[4], s[5]}, w = {k, c, ks, ks, ks};
            int[] y = {n, k, s[3] + 2 * (ks / 2) - ks + 1, s[4] + 2 * (ks / 2) - ks + 1, s[5] + 2 * (ks / 2) - ks + 1};
            int outPoints = n * y[2] * y[3] * y[4], inPoints = n * x[2] * x[3] * x[4];
            double flops = 2.0 * outPoints * k * c * taps;
            Problem p = switch (dir) {
                case FORWARD -> Problem.compute(flops, outPoints, c * taps, k, () -> new Tensor[] {uniform(1, x), uniform(2, w)},
                        in -> one(on(in[0]).conv(in[0], in[1], spec)));
                case BACKWARD_DATA -> Problem.compute(flops, inPoints, k * taps, c, () -> new Tensor[] {uniform(3, y), uniform(2, w)},
                        in -> one(on(in[0]).convBackwardData(in[0], in[1], x, spec)));
                case BACKWARD_FILTER -> Problem.compute(flops, k, outPoints, c * taps, () -> new Tensor[] {uniform(1, x), uniform(3, y)},
                        in -> one(on(in[0]).convBackwardWeight(in[0], in[1], w, spec)));
            };
            return p.note(() -> "cuDNN " + dir.name().toLowerCase().replace('_', '-') + ": " + CudnnAlgorithms.chosen(0, dir, x, w, spec, DType.FLOAT32));
        });
    }
}

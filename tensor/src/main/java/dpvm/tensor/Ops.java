package dpvm.tensor;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.Backend.PoolSpec;
import dpvm.tensor.Backend.Reduce;
import dpvm.tensor.Backend.Unary;

import java.util.Arrays;

/**
 * The primitives' front end: operand checks, the backend call, and each primitive's gradient rule right beside
 * it (the one table of gradient rules; view rules are in {@link ViewOps}). Rules run with recording off and may
 * use any op.
 */
public final class Ops {
    private Ops() {}

    // ---------------------------------------------------------------- checks

    static void sameDevice(String op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new ShapeException(op + ": operands are on different devices (" + a.device() + " with shape " + Shape.str(a.shape) + ", " + b.device() + " with shape " + Shape.str(b.shape) + ")");
        }
    }

    static void sameDtype(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new ShapeException(op + ": dtypes differ (" + a.dtype() + " with shape " + Shape.str(a.shape) + ", " + b.dtype() + " with shape " + Shape.str(b.shape) + ")");
        }
    }

    static void floating(String op, Tensor x) {
        if (!x.dtype().isFloating()) throw new ShapeException(op + ": needs a floating-point tensor, got " + x.dtype() + " with shape " + Shape.str(x.shape));
    }

    static void integer(String op, Tensor index) {
        if (index.dtype() != DType.INT32 && index.dtype() != DType.INT64) throw new ShapeException(op + ": index must be int32 or int64, got " + index.dtype() + " with shape " + Shape.str(index.shape));
    }

    private static void open(Tensor... ts) {
        for (Tensor t : ts) if (t != null) t.checkOpen();
    }

    // ---------------------------------------------------------------- bfloat16 through float32

    // The ops with bfloat16 kernels (copy, elementwise, matmul) take bfloat16 operands as they are. Every other op
    // runs on float32 copies and rounds its floating results back to bfloat16, as PyTorch computes them in float32
    // too: one rule here instead of a bfloat16 variant of every kernel. The copies record their gradients, so
    // autograd needs nothing more.

    private static boolean bf16(Tensor t) {
        return t != null && t.dtype() == DType.BFLOAT16;
    }

    private static Tensor widen(Tensor t) {
        return bf16(t) ? copy(t, DType.FLOAT32) : t;
    }

    private static Tensor narrow(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? copy(t, DType.BFLOAT16) : t;
    }

    private static Tensor[] narrow(Tensor[] ts) {
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) out[i] = narrow(ts[i]);
        return out;
    }

    // ---------------------------------------------------------------- copy and cast

    /** A new contiguous copy, converted to dtype. Gradient: the upstream gradient cast back. */
    public static Tensor copy(Tensor x, DType dtype) {
        open(x);
        Tensor out = Scope.primitive1(() -> x.backend().copy(x, dtype));
        if (!dtype.isFloating()) return out;
        return Autograd.record("copy", out, g -> new Tensor[] {g.cast(x.dtype())}, x);
    }

    /** Concatenation along dim. Gradient: the matching slice of the upstream gradient for each input. */
    public static Tensor cat(Tensor[] xs, int dim) {
        if (xs.length == 0) throw new ShapeException("cat: needs at least one tensor");
        open(xs);
        Tensor first = xs[0];
        int d = Shape.dim("cat", dim, first.rank());
        int[] shape = first.shape.clone();
        shape[d] = 0;
        for (Tensor x : xs) {
            sameDevice("cat", first, x);
            sameDtype("cat", first, x);
            if (x.rank() != first.rank()) throw new ShapeException("cat: ranks differ: " + Shape.str(first.shape) + " and " + Shape.str(x.shape));
            for (int i = 0; i < x.rank(); i++) {
                if (i != d && x.shape[i] != first.shape[i]) throw new ShapeException("cat: shapes " + Shape.str(first.shape) + " and " + Shape.str(x.shape) + " differ outside dim " + d);
            }
            shape[d] += x.shape[d];
        }
        Tensor out = Tensor.empty(shape, first.dtype(), first.device());
        int[] starts = new int[xs.length];
        int at = 0;
        for (int i = 0; i < xs.length; i++) {
            starts[i] = at;
            try (Tensor part = rawNarrow(out, d, at, xs[i].shape[d])) {
                out.backend().copyInto(part, xs[i]);
            }
            at += xs[i].shape[d];
        }
        return Autograd.record("cat", out, g -> {
            Tensor[] gs = new Tensor[xs.length];
            for (int i = 0; i < xs.length; i++) gs[i] = g.narrow(d, starts[i], xs[i].shape[d]);
            return gs;
        }, xs);
    }

    /** A narrow view that never records a graph (for writing into freshly made outputs). */
    static Tensor rawNarrow(Tensor t, int d, int start, int length) {
        int[] shape = t.shape.clone();
        shape[d] = length;
        return new Tensor(t.storage, shape, t.strides, t.offset + start * t.strides[d]);
    }

    // ---------------------------------------------------------------- elementwise

    public static Tensor unary(Unary op, Tensor x) {
        open(x);
        String name = op.name().toLowerCase();
        if (op != Unary.NEG && op != Unary.ABS && op != Unary.SIGN) floating(name, x);
        Tensor y = Scope.primitive1(() -> x.backend().unary(op, x));
        return Autograd.record(name, y, g -> {
            Tensor gx = ElementwiseRules.unary(op, x, y, g, ElementwiseRules.TENSORS);
            return new Tensor[] {gx != null ? gx : Tensor.zeros(x.shape, g.dtype(), g.device())};
        }, x);
    }

    public static Tensor binary(Binary op, Tensor a, Tensor b) {
        open(a, b);
        String name = op.name().toLowerCase();
        sameDevice(name, a, b);
        sameDtype(name, a, b);
        int[] outShape = Shape.broadcast(name, a.shape, b.shape);
        if (op == Binary.POW) floating(name, a);
        Tensor y = Scope.primitive1(() -> a.backend().binary(op, a, b));
        if (op.ordinal() >= Binary.EQ.ordinal()) return y; // comparisons have no gradient
        int[] as = a.shape, bs = b.shape;
        Autograd.Rule rule = g -> {
            ElementwiseRules.Pair<Tensor> p = ElementwiseRules.binary(op, a, b, y, g, a.requiresGrad, b.requiresGrad, ElementwiseRules.TENSORS);
            return grads(as, bs, p.a(), p.b());
        };
        if (!Shape.same(y.shape, outShape)) throw new IllegalStateException(name + ": backend returned shape " + Shape.str(y.shape) + ", expected " + Shape.str(outShape));
        return Autograd.record(name, y, rule, a, b);
    }

    /** Gradients of a broadcasting binary op, each summed back to its input's shape. */
    private static Tensor[] grads(int[] as, int[] bs, Tensor ga, Tensor gb) {
        return new Tensor[] {ga == null ? null : Functional.sumTo(ga, as), gb == null ? null : Functional.sumTo(gb, bs)};
    }

    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        open(condition, a, b);
        sameDevice("where", condition, a);
        sameDevice("where", a, b);
        sameDtype("where", a, b);
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", condition.shape, a.shape), b.shape);
        Tensor y = Scope.primitive1(() -> a.backend().where(condition, a, b));
        int[] as = a.shape, bs = b.shape;
        return Autograd.record("where", y, g -> {
            ElementwiseRules.Pair<Tensor> p = ElementwiseRules.where(condition, g, a.requiresGrad, b.requiresGrad, ElementwiseRules.TENSORS);
            Tensor[] ab = grads(as, bs, p.a(), p.b());
            return new Tensor[] {null, ab[0], ab[1]};
        }, condition, a, b);
    }

    /**
     * A fused elementwise program ({@link Fused}) over inputs of one floating dtype, broadcast together. A
     * single-output program records its gradient: the program's derived backward, one more fused pass.
     */
    public static Tensor[] fused(Fused program, Tensor... xs) {
        String name = "fused " + program.name();
        if (xs.length != program.inputs()) throw new ShapeException(name + ": takes " + program.inputs() + " inputs, got " + xs.length);
        open(xs);
        int[] shape = new int[0];
        for (Tensor x : xs) {
            sameDevice(name, xs[0], x);
            sameDtype(name, xs[0], x);
            floating(name, x);
            shape = Shape.broadcast(name, shape, x.shape);
        }
        if (bf16(xs[0])) {
            Tensor[] wide = new Tensor[xs.length];
            for (int i = 0; i < xs.length; i++) wide[i] = widen(xs[i]);
            return narrow(fused(program, wide));
        }
        Tensor[] ys = Scope.primitive(() -> xs[0].backend().fused(program, xs));
        if (ys.length != program.outputs()) throw new IllegalStateException(name + ": backend returned " + ys.length + " outputs, expected " + program.outputs());
        for (Tensor y : ys) {
            if (!Shape.same(y.shape, shape)) throw new IllegalStateException(name + ": backend returned shape " + Shape.str(y.shape) + ", expected " + Shape.str(shape));
        }
        if (ys.length != 1) return ys;
        return new Tensor[] {Autograd.record(name, ys[0], g -> {
            boolean[] need = new boolean[xs.length];
            for (int i = 0; i < xs.length; i++) need[i] = xs[i].requiresGrad;
            Fused.Backward bw = program.backward(need);
            Tensor[] grads = new Tensor[xs.length];
            if (bw.program() == null) return grads;
            Tensor[] ins = java.util.Arrays.copyOf(xs, xs.length + 1);
            ins[xs.length] = g;
            Tensor[] outs = Scope.primitive(() -> g.backend().fused(bw.program(), ins));
            for (int i = 0; i < xs.length; i++) {
                if (bw.outputOf()[i] >= 0) grads[i] = Functional.sumTo(outs[bw.outputOf()[i]], xs[i].shape);
            }
            return grads;
        }, xs)};
    }

    // ---------------------------------------------------------------- reductions

    static int[] normaliseDims(String op, int[] dims, int rank) {
        int[] d = new int[dims.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < dims.length; i++) {
            d[i] = Shape.dim(op, dims[i], rank);
            if (seen[d[i]]) throw new ShapeException(op + ": dim " + d[i] + " repeated in " + Arrays.toString(dims));
            seen[d[i]] = true;
        }
        Arrays.sort(d);
        return d;
    }

    /** Shape of x with the reduced dims kept as size 1. */
    static int[] keptShape(int[] shape, int[] dims) {
        int[] k = shape.clone();
        for (int d : dims) k[d] = 1;
        return k;
    }

    public static Tensor reduce(Reduce op, Tensor x, int[] dims, boolean keepdim) {
        open(x);
        String name = op.name().toLowerCase();
        int[] d = normaliseDims(name, dims, x.rank());
        for (int i : d) if (x.shape[i] == 0 && op != Reduce.SUM) throw new ShapeException(name + ": cannot reduce an empty dim " + i + " of shape " + Shape.str(x.shape));
        if (bf16(x)) return narrow(reduce(op, widen(x), d, keepdim));
        Tensor y = Scope.primitive1(() -> x.backend().reduce(op, x, d, keepdim));
        int[] kept = keptShape(x.shape, d);
        Autograd.Rule rule = switch (op) {
            case SUM -> g -> new Tensor[] {g.reshape(kept).expand(x.shape)};
            case MAX, MIN -> g -> {
                // the gradient is shared evenly among tied extrema, as PyTorch's amax/amin do
                Tensor hit = x.eq(y.reshape(kept));
                Tensor count = reduce(Reduce.SUM, hit, d, true);
                return new Tensor[] {hit.div(count).mul(g.reshape(kept))};
            };
        };
        return Autograd.record(name, y, rule, x);
    }

    public static Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) {
        open(x);
        int d = Shape.dim(max ? "argmax" : "argmin", dim, x.rank());
        if (x.rank() > 0 && x.shape[d] == 0) throw new ShapeException((max ? "argmax" : "argmin") + ": dim " + d + " of shape " + Shape.str(x.shape) + " is empty");
        if (bf16(x)) return argReduce(max, widen(x), d, keepdim);
        return Scope.primitive1(() -> x.backend().argReduce(max, x, d, keepdim));
    }

    // ---------------------------------------------------------------- dense algebra

    /** Batched matrix product of tensors with at least 2 dims; batch dims broadcast. */
    public static Tensor matmul(Tensor a, Tensor b) {
        open(a, b);
        sameDevice("matmul", a, b);
        sameDtype("matmul", a, b);
        floating("matmul", a);
        if (a.rank() < 2 || b.rank() < 2) throw new ShapeException("matmul: operands need at least 2 dims, got " + Shape.str(a.shape) + " and " + Shape.str(b.shape));
        if (a.shape[a.rank() - 1] != b.shape[b.rank() - 2]) {
            throw new ShapeException("matmul: inner dims differ: " + Shape.str(a.shape) + " x " + Shape.str(b.shape) + " (" + a.shape[a.rank() - 1] + " vs " + b.shape[b.rank() - 2] + ")");
        }
        Shape.broadcast("matmul", Arrays.copyOf(a.shape, a.rank() - 2), Arrays.copyOf(b.shape, b.rank() - 2));
        Tensor y = Scope.primitive1(() -> a.backend().matmul(a, b));
        return Autograd.record("matmul", y, g -> new Tensor[] {
                a.requiresGrad ? Functional.sumTo(columnMajor(a) ? matmul(b, g.mT()).mT() : matmul(g, b.mT()), a.shape) : null,
                b.requiresGrad ? Functional.sumTo(columnMajor(b) ? matmul(g.mT(), a).mT() : matmul(a.mT(), g), b.shape) : null}, a, b);
    }

    /**
     * Whether the last two dims are stored transposed (a {@code .mT()} view, as in {@code x W^T}). Such an
     * operand's gradient is computed transposed too, so that the view's own gradient rule turns it back into a
     * contiguous tensor instead of copying a transposed one.
     */
    private static boolean columnMajor(Tensor t) {
        int r = t.rank();
        return t.strides[r - 2] == 1 && t.strides[r - 1] != 1 && t.shape[r - 2] > 1;
    }

    public static Tensor conv(Tensor x, Tensor w, ConvSpec spec) {
        open(x, w);
        sameDevice("conv", x, w);
        sameDtype("conv", x, w);
        floating("conv", x);
        int sd = x.rank() - 2;
        if (sd < 1 || sd > 3 || w.rank() != x.rank()) {
            throw new ShapeException("conv: input " + Shape.str(x.shape) + " and weight " + Shape.str(w.shape) + " must both be [N, C, 1 to 3 spatial dims] and [O, C/groups, kernel...]");
        }
        if (spec.stride().length != sd || spec.padding().length != sd || spec.dilation().length != sd) {
            throw new ShapeException("conv: stride, padding and dilation need " + sd + " values each for input " + Shape.str(x.shape));
        }
        if (spec.groups() < 1 || x.shape[1] % spec.groups() != 0 || w.shape[0] % spec.groups() != 0 || w.shape[1] * spec.groups() != x.shape[1]) {
            throw new ShapeException("conv: input " + Shape.str(x.shape) + " has " + x.shape[1] + " channels but weight " + Shape.str(w.shape) + " with groups=" + spec.groups() + " expects " + w.shape[1] * spec.groups());
        }
        for (int i = 0; i < sd; i++) {
            int span = spec.dilation()[i] * (w.shape[2 + i] - 1) + 1;
            if (x.shape[2 + i] + 2 * spec.padding()[i] < span) {
                throw new ShapeException("conv: kernel " + Shape.str(w.shape) + " (dilated span " + span + ") is larger than padded input " + Shape.str(x.shape) + " in spatial dim " + i);
            }
        }
        if (bf16(x)) return narrow(conv(widen(x), widen(w), spec));
        Tensor y = Scope.primitive1(() -> x.backend().conv(x, w, spec));
        return Autograd.record("conv", y, g -> new Tensor[] {
                x.requiresGrad ? Scope.primitive1(() -> g.backend().convBackwardData(g, w, x.shape, spec)) : null,
                w.requiresGrad ? Scope.primitive1(() -> g.backend().convBackwardWeight(x, g, w.shape, spec)) : null}, x, w);
    }

    // ---------------------------------------------------------------- pooling

    private static void checkPool(String op, Tensor x, int[] window) {
        floating(op, x);
        int sd = x.rank() - 2;
        if (sd < 1 || sd > 3) throw new ShapeException(op + ": input " + Shape.str(x.shape) + " must be [N, C, 1 to 3 spatial dims]");
        if (window.length != sd) throw new ShapeException(op + ": window " + Arrays.toString(window) + " needs " + sd + " values for input " + Shape.str(x.shape));
    }

    public static Tensor maxPool(Tensor x, PoolSpec spec) {
        open(x);
        checkPool("max_pool", x, spec.kernel());
        if (bf16(x)) return narrow(maxPool(widen(x), spec));
        Tensor[] r = Scope.primitive(() -> x.backend().maxPool(x, spec));
        Tensor y = r[0], argmax = r[1];
        return Autograd.record("max_pool", y, g -> new Tensor[] {Scope.primitive1(() -> g.backend().maxPoolBackward(g, argmax, x.shape, spec))}, x);
    }

    public static Tensor avgPool(Tensor x, PoolSpec spec) {
        open(x);
        checkPool("avg_pool", x, spec.kernel());
        if (bf16(x)) return narrow(avgPool(widen(x), spec));
        Tensor y = Scope.primitive1(() -> x.backend().avgPool(x, spec));
        return Autograd.record("avg_pool", y, g -> new Tensor[] {Scope.primitive1(() -> g.backend().avgPoolBackward(g, x.shape, spec))}, x);
    }

    public static Tensor adaptiveAvgPool(Tensor x, int[] outSize) {
        open(x);
        checkPool("adaptive_avg_pool", x, outSize);
        for (int s : outSize) if (s < 1) throw new ShapeException("adaptive_avg_pool: output size " + Arrays.toString(outSize) + " must be positive");
        if (bf16(x)) return narrow(adaptiveAvgPool(widen(x), outSize));
        Tensor y = Scope.primitive1(() -> x.backend().adaptiveAvgPool(x, outSize));
        return Autograd.record("adaptive_avg_pool", y, g -> new Tensor[] {Scope.primitive1(() -> g.backend().adaptiveAvgPoolBackward(g, x.shape))}, x);
    }

    // ---------------------------------------------------------------- layer norm

    /**
     * Layer norm over the last {@code normalizedDims} dims with the biased variance; weight and bias are each null
     * or of exactly those dims' shape. Gradient: the backend's fused backward from the per-row mean and rstd that
     * the forward saved (a first-order rule: the gradients it returns record no graph of their own).
     */
    public static Tensor layerNorm(Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
        open(x, weight, bias);
        floating("layer_norm", x);
        if (normalizedDims < 1 || normalizedDims > x.rank()) throw new ShapeException("layer_norm: cannot normalise the last " + normalizedDims + " dims of " + Shape.str(x.shape));
        int[] normalized = Arrays.copyOfRange(x.shape, x.rank() - normalizedDims, x.rank());
        for (Tensor p : new Tensor[] {weight, bias}) {
            if (p == null) continue;
            sameDevice("layer_norm", x, p);
            sameDtype("layer_norm", x, p);
            if (!Shape.same(p.shape, normalized)) {
                throw new ShapeException("layer_norm: weight and bias must have the normalised shape " + Shape.str(normalized) + " of input " + Shape.str(x.shape) + ", got " + Shape.str(p.shape));
            }
        }
        if (bf16(x)) return narrow(layerNorm(widen(x), normalizedDims, widen(weight), widen(bias), eps));
        Tensor[] r = Scope.primitive(() -> x.backend().layerNorm(x, normalizedDims, weight, bias, eps));
        Tensor y = r[0], mean = r[1], rstd = r[2];
        Autograd.record("layer_norm", y, g -> {
            boolean dw = weight != null && weight.requiresGrad, db = bias != null && bias.requiresGrad;
            return Scope.primitive(() -> g.backend().layerNormBackward(g, x, mean, rstd, weight, normalizedDims, dw, db));
        }, x, weight, bias);
        if (!y.requiresGrad) {
            // nothing will run the rule: free the saved statistics now rather than at the scope's end
            mean.close();
            rstd.close();
        }
        return y;
    }

    /**
     * Batch norm in training mode over every dim of x [N, C, ...] but C, with the biased variance; weight and
     * bias are each null or [C]. Returns {y, mean, var}: the batch's per-channel statistics (no gradient), for
     * the running statistics; mean is also saved for the gradient, so it stays open while y requires one (var
     * is the caller's to close). Gradient: the backend's fused backward from the saved per-channel mean and
     * rstd (a first-order rule, as for layer norm).
     */
    public static Tensor[] batchNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        open(x, weight, bias);
        floating("batch_norm", x);
        if (x.rank() < 2) throw new ShapeException("batch_norm: input must be [N, C, ...], got " + Shape.str(x.shape));
        int c = x.shape[1];
        if (x.numel() / Math.max(c, 1) <= 1) throw new ShapeException("batch_norm: training needs more than one value per channel, got input " + Shape.str(x.shape));
        for (Tensor p : new Tensor[] {weight, bias}) {
            if (p == null) continue;
            sameDevice("batch_norm", x, p);
            sameDtype("batch_norm", x, p);
            if (!Shape.same(p.shape, new int[] {c})) throw new ShapeException("batch_norm: weight and bias must be [" + c + "] for input " + Shape.str(x.shape) + ", got " + Shape.str(p.shape));
        }
        if (bf16(x)) {
            Tensor[] r = batchNorm(widen(x), widen(weight), widen(bias), eps);
            Tensor[] out = narrow(r);
            if (!r[0].requiresGrad) r[1].close(); // the float32 statistics: the caller sees only their copies
            r[2].close();
            return out;
        }
        Tensor[] r = Scope.primitive(() -> x.backend().batchNorm(x, weight, bias, eps));
        Tensor y = r[0], mean = r[1], rstd = r[2], var = r[3];
        Autograd.record("batch_norm", y, g -> {
            boolean dw = weight != null && weight.requiresGrad, db = bias != null && bias.requiresGrad;
            return Scope.primitive(() -> g.backend().batchNormBackward(g, x, mean, rstd, weight, dw, db));
        }, x, weight, bias);
        if (!y.requiresGrad) rstd.close();
        return new Tensor[] {y, mean, var};
    }

    // ---------------------------------------------------------------- softmax

    public static Tensor softmax(Tensor x, int dim, boolean log) {
        open(x);
        String name = log ? "log_softmax" : "softmax";
        floating(name, x);
        int d = Shape.dim(name, dim, x.rank());
        if (bf16(x)) return narrow(softmax(widen(x), d, log));
        Tensor y = Scope.primitive1(() -> x.backend().softmax(x, d, log));
        return Autograd.record(name, y, g -> new Tensor[] {Scope.primitive1(() -> g.backend().softmaxBackward(y, g, d, log))}, x);
    }

    // ---------------------------------------------------------------- indexing

    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        open(x, index);
        integer("index_select", index);
        sameDevice("index_select", x, index);
        if (index.rank() != 1) throw new ShapeException("index_select: index must be 1-d, got " + Shape.str(index.shape));
        int d = Shape.dim("index_select", dim, x.rank());
        if (bf16(x)) return narrow(indexSelect(widen(x), d, index));
        Tensor y = Scope.primitive1(() -> x.backend().indexSelect(x, d, index));
        return Autograd.record("index_select", y, g -> new Tensor[] {Scope.primitive1(() -> g.backend().indexAdd(x.shape, d, index, g)), null}, x, index);
    }

    public static Tensor indexAdd(int[] shape, int dim, Tensor index, Tensor src) {
        open(index, src);
        integer("index_add", index);
        int d = Shape.dim("index_add", dim, shape.length);
        if (bf16(src)) return narrow(indexAdd(shape, d, index, widen(src)));
        Tensor y = Scope.primitive1(() -> src.backend().indexAdd(shape.clone(), d, index, src));
        return Autograd.record("index_add", y, g -> new Tensor[] {null, Scope.primitive1(() -> g.backend().indexSelect(g, d, index))}, index, src);
    }

    public static Tensor gather(Tensor x, int dim, Tensor index) {
        open(x, index);
        integer("gather", index);
        sameDevice("gather", x, index);
        int d = Shape.dim("gather", dim, x.rank());
        if (index.rank() != x.rank()) throw new ShapeException("gather: index " + Shape.str(index.shape) + " and input " + Shape.str(x.shape) + " differ in rank");
        for (int i = 0; i < x.rank(); i++) {
            if (i != d && index.shape[i] > x.shape[i]) throw new ShapeException("gather: index " + Shape.str(index.shape) + " exceeds input " + Shape.str(x.shape) + " in dim " + i);
        }
        if (bf16(x)) return narrow(gather(widen(x), d, index));
        Tensor y = Scope.primitive1(() -> x.backend().gather(x, d, index));
        return Autograd.record("gather", y, g -> new Tensor[] {Scope.primitive1(() -> g.backend().scatterAdd(x.shape, d, index, g)), null}, x, index);
    }

    public static Tensor scatterAdd(int[] shape, int dim, Tensor index, Tensor src) {
        open(index, src);
        integer("scatter_add", index);
        int d = Shape.dim("scatter_add", dim, shape.length);
        if (!Shape.same(index.shape, src.shape)) throw new ShapeException("scatter_add: index " + Shape.str(index.shape) + " and src " + Shape.str(src.shape) + " differ");
        if (bf16(src)) return narrow(scatterAdd(shape, d, index, widen(src)));
        Tensor y = Scope.primitive1(() -> src.backend().scatterAdd(shape.clone(), d, index, src));
        return Autograd.record("scatter_add", y, g -> new Tensor[] {null, Scope.primitive1(() -> g.backend().gather(g, d, index))}, index, src);
    }

    // ---------------------------------------------------------------- fused dropout and cross-entropy

    /**
     * Inverted dropout with the mask drawn inline from Philox counters {@code offset...} of {@code seed} (see
     * {@link Backend#dropout}). Gradient: the same primitive with the same seed and offset on the upstream
     * gradient, so no mask is kept.
     */
    public static Tensor dropout(Tensor x, double p, long seed, long offset) {
        open(x);
        floating("dropout", x);
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        if (bf16(x)) return narrow(dropout(widen(x), p, seed, offset));
        Tensor y = Scope.primitive1(() -> x.backend().dropout(x, p, seed, offset));
        return Autograd.record("dropout", y, g -> new Tensor[] {Scope.primitive1(() -> g.backend().dropout(g, p, seed, offset))}, x);
    }

    /**
     * Per-row cross-entropy terms of logits [N, C] against integer targets [N] (see {@link Backend#crossEntropy}).
     * Returns {loss [N], targetWeight [N]}; only loss records a gradient, and only towards the logits: class
     * weights take none (as in PyTorch), so weights that require grad are refused while recording. Gradient:
     * (softmax - smoothed weighted one-hot) times the upstream gradient, from the saved log-sum-exp (two [N]
     * tensors; nothing of size [N, C] is kept).
     */
    public static Tensor[] crossEntropy(Tensor logits, Tensor targets, Tensor classWeights, double labelSmoothing) {
        open(logits, targets, classWeights);
        floating("cross_entropy", logits);
        integer("cross_entropy", targets);
        sameDevice("cross_entropy", logits, targets);
        if (logits.rank() != 2) throw new ShapeException("cross_entropy: logits must be [N, C], got " + Shape.str(logits.shape));
        if (targets.rank() != 1 || targets.shape[0] != logits.shape[0]) throw new ShapeException("cross_entropy: targets " + Shape.str(targets.shape) + " do not match logits " + Shape.str(logits.shape));
        if (classWeights != null) {
            sameDevice("cross_entropy", logits, classWeights);
            sameDtype("cross_entropy", logits, classWeights);
            if (classWeights.rank() != 1 || classWeights.shape[0] != logits.shape[1]) {
                throw new ShapeException("cross_entropy: class weights " + Shape.str(classWeights.shape) + " do not match the " + logits.shape[1] + " classes of logits " + Shape.str(logits.shape));
            }
            if (classWeights.requiresGrad && Autograd.isEnabled()) throw new IllegalArgumentException("cross_entropy: class weights take no gradient (as in PyTorch); pass them detached");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new IllegalArgumentException("cross_entropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        if (bf16(logits)) return narrow(crossEntropy(widen(logits), targets, widen(classWeights), labelSmoothing));
        Tensor[] r = Scope.primitive(() -> logits.backend().crossEntropy(logits, targets, classWeights, labelSmoothing));
        Tensor loss = r[0], rowMax = r[1], logSum = r[2];
        Tensor recorded = Autograd.record("cross_entropy", loss, g -> new Tensor[] {
                Scope.primitive1(() -> g.backend().crossEntropyBackward(logits, targets, classWeights, rowMax, logSum, g, labelSmoothing))}, logits);
        return new Tensor[] {recorded, r[3]};
    }
}

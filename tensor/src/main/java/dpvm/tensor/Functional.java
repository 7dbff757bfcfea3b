package dpvm.tensor;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.Backend.PoolSpec;
import dpvm.tensor.Backend.Reduce;
import dpvm.tensor.Backend.Unary;

import java.util.Arrays;

/**
 * Everything that is not a primitive, composed once from {@link Ops} and {@link ViewOps}; autograd and every
 * backend come for free. Argument conventions follow PyTorch's functional API.
 */
public final class Functional {
    private Functional() {}

    // Elementwise chains that run as one fused kernel (one pass over memory, no saved temporaries).
    private static final Expr X = Expr.input(0), Y = Expr.input(1);
    private static final Fused RELU = Fused.define("relu", 1, Expr.where(X.le(Expr.constant(0)), Expr.constant(0), X));
    private static final Fused SILU = Fused.define("silu", 1, X.mul(X.sigmoid()));
    private static final Fused GELU_TANH = Fused.define("gelu_tanh", 1,
            X.mul(X.add(X.mul(X).mul(X).mul(0.044715)).mul(Math.sqrt(2 / Math.PI)).tanh().add(1)).mul(0.5));
    private static final Fused SQUARED_DIFFERENCE = Fused.define("squared_difference", 2, X.sub(Y).mul(X.sub(Y)));

    // ---------------------------------------------------------------- shape helpers

    /** Sums g over broadcast dims so that it has {@code shape} (the adjoint of broadcasting). */
    public static Tensor sumTo(Tensor g, int[] shape) {
        if (Shape.same(g.shape, shape)) return g;
        int lead = g.rank() - shape.length;
        if (lead < 0) throw new ShapeException("sum_to: cannot sum " + Shape.str(g.shape) + " to the larger rank of " + Shape.str(shape));
        int[] dims = new int[g.rank()];
        int n = 0;
        for (int i = 0; i < g.rank(); i++) {
            if (i < lead || (shape[i - lead] == 1 && g.shape[i] != 1)) dims[n++] = i;
        }
        Tensor s = n == 0 ? g : Ops.reduce(Reduce.SUM, g, Arrays.copyOf(dims, n), true);
        return s.reshape(shape);
    }

    public static Tensor stack(Tensor[] xs, int dim) {
        if (xs.length == 0) throw new ShapeException("stack: needs at least one tensor");
        int d = Shape.dim("stack", dim, xs[0].rank() + 1);
        Tensor[] u = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) u[i] = xs[i].unsqueeze(d);
        return Ops.cat(u, d);
    }

    public static Tensor cat(Tensor[] xs, int dim) {
        return Ops.cat(xs, dim);
    }

    /** Pieces of {@code size} along dim (the last may be smaller). */
    public static Tensor[] split(Tensor x, int size, int dim) {
        if (size <= 0) throw new ShapeException("split: size must be positive, got " + size);
        int d = Shape.dim("split", dim, x.rank());
        int n = (x.shape[d] + size - 1) / size;
        Tensor[] out = new Tensor[n];
        for (int i = 0; i < n; i++) out[i] = x.narrow(d, i * size, Math.min(size, x.shape[d] - i * size));
        return out;
    }

    /** {@code chunks} nearly equal pieces along dim, like torch.chunk. */
    public static Tensor[] chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) throw new ShapeException("chunk: chunks must be positive, got " + chunks);
        int d = Shape.dim("chunk", dim, x.rank());
        return split(x, Math.max(1, (x.shape[d] + chunks - 1) / chunks), d);
    }

    // ---------------------------------------------------------------- elementwise

    /** max(x, 0) with PyTorch's gradient (0 at x = 0); NaN passes through, as in PyTorch. */
    public static Tensor relu(Tensor x) {
        return RELU.apply(x);
    }

    public static Tensor silu(Tensor x) {
        return SILU.apply(x);
    }

    /** GELU, exact form: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), one fused elementwise primitive. */
    public static Tensor gelu(Tensor x) {
        return Ops.unary(Unary.GELU, x);
    }

    /** GELU, tanh approximation (PyTorch's approximate='tanh'). */
    public static Tensor geluTanh(Tensor x) {
        return GELU_TANH.apply(x);
    }

    public static Tensor clamp(Tensor x, double min, double max) {
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " is above max " + max);
        return Fused.define("clamp", 1, X.maximum(Expr.constant(min)).minimum(Expr.constant(max))).apply(x);
    }

    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return Ops.where(condition, a, b);
    }

    // ---------------------------------------------------------------- reductions

    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        return Ops.reduce(Reduce.SUM, x, dims, keepdim);
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        int count = 1;
        for (int d : Ops.normaliseDims("mean", dims, x.rank())) count *= x.shape[d];
        return Ops.reduce(Reduce.SUM, x, dims, keepdim).div(count);
    }

    /** Variance over dims; {@code unbiased} divides by n-1 (torch.var's default). */
    public static Tensor var(Tensor x, int[] dims, boolean unbiased, boolean keepdim) {
        int count = 1;
        for (int d : Ops.normaliseDims("var", dims, x.rank())) count *= x.shape[d];
        return Ops.reduce(Reduce.SUM, SQUARED_DIFFERENCE.apply(x, mean(x, dims, true)), dims, keepdim).div(unbiased ? count - 1 : count);
    }

    // ---------------------------------------------------------------- dense

    /** torch.matmul: 1-d operands are promoted and the added dim removed again. */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0) throw new ShapeException("matmul: operands must not be scalars, got " + Shape.str(a.shape) + " and " + Shape.str(b.shape));
        boolean va = a.rank() == 1, vb = b.rank() == 1;
        Tensor y = Ops.matmul(va ? a.unsqueeze(0) : a, vb ? b.unsqueeze(1) : b);
        if (vb) y = y.squeeze(-1);
        if (va) y = y.squeeze(va && vb ? -1 : -2);
        return y;
    }

    /** x W^T + b with W [out, in], like torch.nn.functional.linear. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.rank() != 2) throw new ShapeException("linear: weight must be [out, in], got " + Shape.str(weight.shape));
        if (x.rank() == 0 || x.shape[x.rank() - 1] != weight.shape[1]) {
            throw new ShapeException("linear: input " + Shape.str(x.shape) + " has last dim " + (x.rank() == 0 ? 0 : x.shape[x.rank() - 1]) + " but weight " + Shape.str(weight.shape) + " expects " + weight.shape[1]);
        }
        Tensor y = matmul(x, weight.mT());
        return bias == null ? y : y.add(bias);
    }

    public static Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        Tensor y = Ops.conv(x, weight, new ConvSpec(stride, padding, dilation, groups));
        if (bias == null) return y;
        int[] bshape = new int[y.rank()];
        Arrays.fill(bshape, 1);
        bshape[1] = bias.numel();
        return y.add(bias.reshape(bshape));
    }

    public static Tensor conv1d(Tensor x, Tensor w, Tensor b, int stride, int padding, int dilation, int groups) {
        return conv(x, w, b, new int[] {stride}, new int[] {padding}, new int[] {dilation}, groups);
    }

    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int stride, int padding, int dilation, int groups) {
        return conv(x, w, b, rep(stride, 2), rep(padding, 2), rep(dilation, 2), groups);
    }

    public static Tensor conv3d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation, int groups) {
        return conv(x, w, b, stride, padding, dilation, groups);
    }

    static int[] rep(int v, int n) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    // ---------------------------------------------------------------- pooling

    public static Tensor maxPool(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return Ops.maxPool(x, new PoolSpec(kernel, stride == null ? kernel : stride, padding, dilation, ceilMode, true));
    }

    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return maxPool(x, rep(kernel, 2), rep(stride, 2), rep(padding, 2), rep(1, 2), false);
    }

    public static Tensor maxPool3d(Tensor x, int kernel, int stride, int padding) {
        return maxPool(x, rep(kernel, 3), rep(stride, 3), rep(padding, 3), rep(1, 3), false);
    }

    public static Tensor avgPool(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        return Ops.avgPool(x, new PoolSpec(kernel, stride == null ? kernel : stride, padding, rep(1, kernel.length), ceilMode, countIncludePad));
    }

    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return avgPool(x, rep(kernel, 2), rep(stride, 2), rep(padding, 2), false, true);
    }

    public static Tensor avgPool3d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return avgPool(x, kernel, stride, padding, false, true);
    }

    public static Tensor adaptiveAvgPool(Tensor x, int... outSize) {
        return Ops.adaptiveAvgPool(x, outSize);
    }

    // ---------------------------------------------------------------- normalisation

    /**
     * Batch norm over [N, C, ...]: in training, normalises with the batch's statistics and updates the running
     * ones in place (unbiased variance, PyTorch's momentum convention); in eval, uses the running statistics.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (x.rank() < 2) throw new ShapeException("batch_norm: input must be [N, C, ...], got " + Shape.str(x.shape));
        int c = x.shape[1];
        if (training) {
            // statistics and normalisation in one primitive (two passes over x, two more for the gradient)
            Tensor[] r = Ops.batchNorm(x, weight, bias, eps);
            if (runningMean != null && runningVar != null) {
                int count = x.numel() / Math.max(c, 1);
                try (AutoCloseable ignored = Autograd.noGrad()) {
                    assign(runningMean, runningMean.mul(1 - momentum).add(r[1].mul(momentum)));
                    assign(runningVar, runningVar.mul(1 - momentum).add(r[2].mul(momentum * count / (count - 1.0))));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            if (!r[0].requiresGrad()) r[1].close();  // else the gradient still needs it
            r[2].close();
            return r[0];
        }
        if (runningMean == null || runningVar == null) throw new IllegalArgumentException("batch_norm: eval mode needs running statistics");
        int[] bshape = new int[x.rank()];
        Arrays.fill(bshape, 1);
        bshape[1] = c;
        Tensor mean = runningMean.reshape(bshape), var = runningVar.reshape(bshape);
        // (x - mean) / sqrt(var + eps) * weight + bias in one pass
        Expr y = X.sub(Y).mul(Expr.input(2).add(eps).rsqrt());
        int inputs = 3;
        if (weight != null) y = y.mul(Expr.input(inputs++));
        if (bias != null) y = y.add(Expr.input(inputs++));
        Tensor[] in = new Tensor[inputs];
        in[0] = x;
        in[1] = mean;
        in[2] = var;
        inputs = 3;
        if (weight != null) in[inputs++] = weight.reshape(bshape);
        if (bias != null) in[inputs] = bias.reshape(bshape);
        return Fused.define("batch_norm", in.length, y).apply(in);
    }

    /**
     * Layer norm over the last {@code normalizedDims} dims, biased variance, like torch.nn.functional.layer_norm:
     * one fused primitive. Weight and bias of exactly the normalised shape are applied inside it; any other
     * broadcastable shape is applied afterwards by broadcasting, as the elementwise definition does.
     */
    public static Tensor layerNorm(Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps) {
        if (normalizedDims < 1 || normalizedDims > x.rank()) throw new ShapeException("layer_norm: cannot normalise the last " + normalizedDims + " dims of " + Shape.str(x.shape));
        int[] normalized = Arrays.copyOfRange(x.shape, x.rank() - normalizedDims, x.rank());
        boolean fused = (weight == null || Shape.same(weight.shape, normalized)) && (bias == null || Shape.same(bias.shape, normalized));
        if (fused) return Ops.layerNorm(x, normalizedDims, weight, bias, eps);
        Tensor y = Ops.layerNorm(x, normalizedDims, null, null, eps);
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }

    /** Writes src (broadcast) into dst in place; refused while dst is part of a graph that records gradients. */
    public static void assign(Tensor dst, Tensor src) {
        dst.checkOpen();
        src.checkOpen();
        if (Autograd.isEnabled() && dst.requiresGrad) throw new IllegalStateException("assign: in-place write into a tensor that requires grad; do it under Autograd.noGrad()");
        Ops.sameDevice("assign", dst, src);
        Shape.broadcast("assign", dst.shape, src.shape);
        dst.backend().copyInto(dst, src.dtype() == dst.dtype() ? src : Ops.copy(src, dst.dtype()));
    }

    // ---------------------------------------------------------------- regularisation

    /**
     * Inverted dropout: zeroes with probability p and scales the rest by 1/(1-p); identity when not training.
     * Element i is kept when element i of a uniform fill of x's shape from {@code rng} is below 1 - p; the fused
     * primitive draws those numbers inline and takes the same counters from {@code rng} as that fill would.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Rng rng) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0);
        Ops.floating("dropout", x);
        return Ops.dropout(x, p, rng.seed(), rng.take(Backend.Distribution.UNIFORM, x.numel()));
    }

    // ---------------------------------------------------------------- indexing

    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        return Ops.indexSelect(x, dim, index);
    }

    public static Tensor gather(Tensor x, int dim, Tensor index) {
        return Ops.gather(x, dim, index);
    }

    /** Rows of weight [V, D] picked by integer indices of any shape: result is indices.shape + [D]. */
    public static Tensor embedding(Tensor weight, Tensor indices) {
        if (weight.rank() != 2) throw new ShapeException("embedding: weight must be [num, dim], got " + Shape.str(weight.shape));
        int[] shape = Arrays.copyOf(indices.shape, indices.rank() + 1);
        shape[indices.rank()] = weight.shape[1];
        return Ops.indexSelect(weight, 0, indices.reshape(-1)).reshape(shape);
    }

    /** One-hot int64 encoding with a trailing class dim, like torch.nn.functional.one_hot. */
    public static Tensor oneHot(Tensor labels, int numClasses) {
        Ops.integer("one_hot", labels);
        long[] v = labels.toLongArray();
        for (long l : v) if (l < 0 || l >= numClasses) throw new ShapeException("one_hot: label " + l + " is outside [0, " + numClasses + ")");
        Tensor classes = Tensor.arange(numClasses).to(labels.device());
        return labels.cast(DType.INT64).unsqueeze(-1).eq(classes);
    }

    // ---------------------------------------------------------------- attention and similarity

    /**
     * softmax(q k^T / sqrt(d) + mask) v over [..., L, d] operands. The optional mask is additive (0 to keep,
     * -infinity to drop) and broadcasts to [..., Lq, Lk].
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask) {
        int d = q.shape[q.rank() - 1];
        Tensor scores = Ops.matmul(q, k.mT()).mul(1 / Math.sqrt(d));
        if (mask != null) scores = scores.add(mask);
        return Ops.matmul(scores.softmax(-1), v);
    }

    /** x / max(||x||_2, eps) along dim. */
    public static Tensor normalize(Tensor x, int dim, double eps) {
        Tensor norm = sum(x.mul(x), new int[] {dim}, true).sqrt();
        return x.div(norm.maximum(norm.like(eps)));
    }

    /** Cosine similarity along dim, each operand normalised by max(norm, eps) as in current PyTorch. */
    public static Tensor cosineSimilarity(Tensor a, Tensor b, int dim, double eps) {
        return sum(normalize(a, dim, eps).mul(normalize(b, dim, eps)), new int[] {dim}, false);
    }

    // ---------------------------------------------------------------- losses

    public static Tensor mse(Tensor prediction, Tensor target) {
        Shape.broadcast("mse", prediction.shape, target.shape);
        return SQUARED_DIFFERENCE.apply(prediction, target).mean();
    }

    /**
     * Mean cross-entropy of logits [N, C] against integer targets [N], with optional class weights [C] and label
     * smoothing, matching torch.nn.functional.cross_entropy (weighted mean divides by the targets' weight sum; no
     * ignore index). The per-row terms come from one fused primitive.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Tensor classWeights, double labelSmoothing) {
        if (logits.rank() != 2) throw new ShapeException("cross_entropy: logits must be [N, C], got " + Shape.str(logits.shape));
        if (targets.rank() != 1 || targets.shape[0] != logits.shape[0]) throw new ShapeException("cross_entropy: targets " + Shape.str(targets.shape) + " do not match logits " + Shape.str(logits.shape));
        if (labelSmoothing < 0 || labelSmoothing > 1) throw new IllegalArgumentException("cross_entropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        Tensor[] rows = Ops.crossEntropy(logits, targets, classWeights, labelSmoothing);
        Tensor denominator = classWeights == null ? logits.like(logits.shape[0]) : rows[1].sum();
        return rows[0].sum().div(denominator);
    }
}

package dpvm.tensor;

/**
 * The closed set of primitives a backend implements. Everything else (linear, attention, losses, batch norm...)
 * is composed once from these in {@link Functional}, so a new backend gets it for free. Gradient rules live
 * beside the front-end of each primitive in {@link Ops}; backends never deal with autograd.
 *
 * <p>Inputs may be any strided view (broadcast dims have stride 0) unless a method says otherwise; outputs are
 * new contiguous tensors. Operand checks (shapes, dtypes, devices) are done by {@link Ops} before a backend is
 * called.
 */
public interface Backend {
    /** Elementwise functions; GELU is the exact form x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)). */
    enum Unary { NEG, EXP, LOG, SQRT, RSQRT, ABS, SIGN, TANH, SIGMOID, ERF, RECIPROCAL, SIN, COS, GELU }

    enum Binary { ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE }

    enum Reduce { SUM, MAX, MIN }

    enum Distribution { UNIFORM, NORMAL }

    /** Stride, padding and dilation per spatial dim, and the group count. */
    record ConvSpec(int[] stride, int[] padding, int[] dilation, int groups) {}

    /** Window geometry per spatial dim; countIncludePad matters only for average pooling. */
    record PoolSpec(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode, boolean countIncludePad) {}

    /** One Adam/AdamW update; {@code step} counts from 1. */
    record AdamStep(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled, long step) {}

    Device device();

    // Memory and movement.
    Storage allocate(DType dtype, int size);

    /** Copies a host array (float[], double[], int[] or long[] matching the storage dtype) into storage at offset. */
    void upload(Storage dst, int offset, Object hostArray);

    /** The elements of {@code src} in row-major order as a host array of its dtype. */
    Object download(Tensor src);

    Tensor fill(int[] shape, DType dtype, double value);

    /** A contiguous copy of {@code src}, converted to {@code dtype}. */
    Tensor copy(Tensor src, DType dtype);

    /** Writes {@code src}, broadcast to {@code dst}'s shape, into the (possibly strided) view {@code dst}. */
    void copyInto(Tensor dst, Tensor src);

    // Elementwise.
    Tensor unary(Unary op, Tensor x);

    /** Broadcasting binary op; comparisons give 1 or 0 in the operands' dtype. */
    Tensor binary(Binary op, Tensor a, Tensor b);

    Tensor where(Tensor condition, Tensor a, Tensor b);

    /**
     * Every output of a fused elementwise program over {@code inputs} (one floating dtype, any strided views,
     * broadcast to one shape): each a new contiguous tensor of the broadcast shape. Every node's value is rounded
     * to the dtype, constants included, as if its op ran alone.
     */
    Tensor[] fused(Fused program, Tensor[] inputs);

    // Reductions.
    Tensor reduce(Reduce op, Tensor x, int[] dims, boolean keepdim);

    /** Index (int64) of the first maximum or minimum along dim. */
    Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim);

    // Dense algebra.
    /** {@code [..., M, K] x [..., K, N]}, batch dims broadcast, both at least 2-d. */
    Tensor matmul(Tensor a, Tensor b);

    /** Cross-correlation; x is [N, C, spatial...] with 1 to 3 spatial dims, w is [O, C/groups, kernel...]. */
    Tensor conv(Tensor x, Tensor w, ConvSpec spec);

    Tensor convBackwardData(Tensor gradOut, Tensor w, int[] xShape, ConvSpec spec);

    Tensor convBackwardWeight(Tensor x, Tensor gradOut, int[] wShape, ConvSpec spec);

    // Pooling over the trailing 1 to 3 spatial dims of [N, C, spatial...].
    /** Returns {values, argmax} where argmax (int32) is the flat index of the winner within its plane. */
    Tensor[] maxPool(Tensor x, PoolSpec spec);

    Tensor maxPoolBackward(Tensor gradOut, Tensor argmax, int[] xShape, PoolSpec spec);

    Tensor avgPool(Tensor x, PoolSpec spec);

    Tensor avgPoolBackward(Tensor gradOut, int[] xShape, PoolSpec spec);

    Tensor adaptiveAvgPool(Tensor x, int[] outSize);

    Tensor adaptiveAvgPoolBackward(Tensor gradOut, int[] xShape);

    // Layer norm: x is viewed as rows [outer, inner], inner being the product of its last normalizedDims dims.
    /**
     * Normalises each row with its own mean and biased variance, {@code y = (x - mean) * rstd * weight + bias} with
     * {@code rstd = 1 / sqrt(var + eps)}; weight and bias are each null or of x's trailing shape. Returns
     * {y (x's shape), mean, rstd}, the last two of shape [outer] and x's dtype, saved for the backward.
     */
    Tensor[] layerNorm(Tensor x, int normalizedDims, Tensor weight, Tensor bias, double eps);

    /**
     * Gradients of layer norm from the upstream gradient, the input and the forward's saved mean and rstd (weight
     * null when there was none). Returns {dx, dweight, dbias}: dweight and dbias, of x's trailing shape, are sums
     * over the rows made only when asked for, else null.
     */
    Tensor[] layerNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight, int normalizedDims,
                               boolean weightGrad, boolean biasGrad);

    // Batch norm in training mode: x is [N, C, ...], viewed as [outer = N, C, inner = the product of the rest].
    /**
     * Normalises each channel with the mean and biased variance of its N x inner values, {@code y = (x - mean) *
     * rstd * weight + bias} with {@code rstd = 1 / sqrt(var + eps)}; weight and bias are each null or [C].
     * Returns {y (x's shape), mean, rstd, var}, the last three [C] in x's dtype: mean and rstd are saved for the
     * backward, var feeds the running statistics.
     */
    Tensor[] batchNorm(Tensor x, Tensor weight, Tensor bias, double eps);

    /**
     * Gradients of training-mode batch norm from the upstream gradient, the input and the forward's saved mean
     * and rstd (weight null when there was none): {@code dx = weight * rstd * (g - mean(g) - xhat * mean(g xhat))}
     * per channel. Returns {dx, dweight, dbias}, the last two [C] (sums of g xhat and of g), made only when
     * asked for, else null.
     */
    Tensor[] batchNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight, boolean weightGrad, boolean biasGrad);

    // Normalised exponentials.
    Tensor softmax(Tensor x, int dim, boolean log);

    /** Gradient of softmax (or log-softmax) given its output y and the upstream gradient. */
    Tensor softmaxBackward(Tensor y, Tensor gradOut, int dim, boolean log);

    // Indexing. Index tensors are int32 or int64.
    Tensor indexSelect(Tensor x, int dim, Tensor index);

    /** zeros(shape) with src's slices added at the index positions along dim (the adjoint of indexSelect). */
    Tensor indexAdd(int[] shape, int dim, Tensor index, Tensor src);

    Tensor gather(Tensor x, int dim, Tensor index);

    /** zeros(shape) with src added at index along dim (the adjoint of gather). */
    Tensor scatterAdd(int[] shape, int dim, Tensor index, Tensor src);

    // Randomness and optimisation.
    /**
     * Fills contiguous {@code out} from the counter-based generator: element i of a uniform fill is word i%4 of the
     * Philox-4x32-10 block with counter {@code offset + i/4}; a normal fill uses Box-Muller on words 0 and 1 of
     * block {@code offset + i/2} (cosine for even i, sine for odd). Same numbers on every backend and thread count.
     */
    void fillRandom(Tensor out, Distribution distribution, long seed, long offset);

    /** In-place fused Adam/AdamW update of contiguous param, m and v from grad. */
    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step);

    // Fused dropout and cross-entropy.
    /**
     * Inverted dropout with the mask drawn inline: element i of x (row-major over x's shape) is kept when element
     * i of {@code fillRandom(UNIFORM, seed, offset)} is below {@code 1 - p}, both in x's dtype, and the result is
     * {@code (x * keep) * scale} with keep 1 or 0 and scale {@code 1 / (1 - p)} in x's dtype (0 when p = 1). No
     * mask is stored: the same call on the upstream gradient is the gradient. Float dtypes only.
     */
    Tensor dropout(Tensor x, double p, long seed, long offset);

    /**
     * Per-row cross-entropy of logits [N, C] against class indices targets [N] (int32 or int64), with optional
     * class weights w [C] (null: all ones) and label smoothing s. Returns {loss, rowMax, logSum, targetWeight},
     * each [N]: {@code loss_i = (1 - s) w[t_i] (lse_i - x[i, t_i])}, plus {@code (s / C) sum_j w[j] (lse_i -
     * x[i, j])} when s > 0; the log-sum-exp {@code lse_i = rowMax_i + logSum_i} with {@code rowMax_i = max_j x[i,
     * j]} (0 for an all -inf row), kept in two parts so that {@code exp((x - rowMax) - logSum)} has the logits'
     * precision even for large logits; {@code targetWeight_i = w[t_i]}. Throws {@link ShapeException} for a
     * target outside [0, C).
     */
    Tensor[] crossEntropy(Tensor logits, Tensor targets, Tensor classWeights, double labelSmoothing);

    /**
     * Gradient of {@link #crossEntropy}'s loss with respect to the logits, given its rowMax and logSum and the
     * upstream gradient g [N]: {@code g_i ((1 - s) w[t_i] (p_ij - [j = t_i]) + (s / C) (W p_ij - w[j]))} with p the
     * row's softmax and W the sum of the weights.
     */
    Tensor crossEntropyBackward(Tensor logits, Tensor targets, Tensor classWeights, Tensor rowMax, Tensor logSum, Tensor gradLoss, double labelSmoothing);
}

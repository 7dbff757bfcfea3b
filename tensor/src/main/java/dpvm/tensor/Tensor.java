package dpvm.tensor;

import java.util.Arrays;

/**
 * A view of a {@link Storage}: shape, strides and offset over elements of one dtype on one device. View methods
 * (reshape, permute, narrow, expand...) share the storage and never copy. Arithmetic lives in {@link Ops} (the
 * primitives with their gradient rules) and {@link Functional} (everything composed from them); the methods here
 * are shorthands for those.
 *
 * <p>Each tensor holds one reference to its storage until {@link #close()}; a {@link Scope} closes the tensors made
 * inside it (and drops the reference of one it held weakly that was garbage-collected unclosed). Using a closed
 * tensor is an error.
 */
public final class Tensor implements AutoCloseable {
    final Storage storage;
    final int[] shape;
    final int[] strides;
    final int offset;
    private volatile boolean closed;
    /** Set when a scope holds this tensor weakly: shared with the scope, which drops the storage reference if the tensor is collected unclosed. */
    private final Scope.WeakEntry weakEntry;

    /** Creation order: a backward pass frees only the gradient temporaries made after it started. */
    private static final java.util.concurrent.atomic.AtomicLong SERIALS = new java.util.concurrent.atomic.AtomicLong();
    final long serial = SERIALS.incrementAndGet();

    // Autograd state.
    boolean requiresGrad;
    Autograd.Node gradFn;
    Tensor grad;

    Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        if (shape.length != strides.length) throw new IllegalArgumentException("shape " + Shape.str(shape) + " and strides " + Arrays.toString(strides) + " differ in rank");
        storage.retain();
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.weakEntry = Scope.track(this);
    }

    /** The serial the next tensor made will have. */
    static long nextSerial() {
        return SERIALS.get() + 1;
    }

    // ---------------------------------------------------------------- creation

    public static Tensor empty(int[] shape, DType dtype, Device device) {
        Backend b = Backends.of(device);
        return new Tensor(b.allocate(dtype, Shape.numel(shape)), shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    public static Tensor full(int[] shape, double value, DType dtype, Device device) {
        return Backends.of(device).fill(shape.clone(), dtype, value);
    }

    public static Tensor zeros(int... shape) {
        return full(shape, 0, DType.FLOAT32, Device.CPU);
    }

    public static Tensor ones(int... shape) {
        return full(shape, 1, DType.FLOAT32, Device.CPU);
    }

    public static Tensor zeros(int[] shape, DType dtype, Device device) {
        return full(shape, 0, dtype, device);
    }

    /** A 0-d tensor. */
    public static Tensor scalar(double value, DType dtype, Device device) {
        return full(new int[0], value, dtype, device);
    }

    public static Tensor scalar(double value) {
        return scalar(value, DType.FLOAT32, Device.CPU);
    }

    public static Tensor of(float[] data, int... shape) {
        return fromHost(data, data.length, shape, DType.FLOAT32, Device.CPU);
    }

    public static Tensor of(double[] data, int... shape) {
        return fromHost(data, data.length, shape, DType.FLOAT64, Device.CPU);
    }

    public static Tensor ofInts(int[] data, int... shape) {
        return fromHost(data, data.length, shape, DType.INT32, Device.CPU);
    }

    public static Tensor ofLongs(long[] data, int... shape) {
        return fromHost(data, data.length, shape, DType.INT64, Device.CPU);
    }

    /** A bfloat16 tensor from the values' bits ({@link BFloat16#fromFloats} makes them from floats). */
    public static Tensor ofBFloat16(short[] bits, int... shape) {
        return fromHost(bits, bits.length, shape, DType.BFLOAT16, Device.CPU);
    }

    /** 0, 1, ..., n-1 as int64. */
    public static Tensor arange(int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return ofLongs(v, n);
    }

    private static Tensor fromHost(Object data, int length, int[] shape, DType dtype, Device device) {
        if (Shape.numel(shape) != length) {
            throw new ShapeException("of: " + length + " values do not fill shape " + Shape.str(shape) + " (" + Shape.numel(shape) + " elements)");
        }
        Tensor t = empty(shape, dtype, device);
        Backends.of(device).upload(t.storage, 0, data);
        return t;
    }

    // ---------------------------------------------------------------- metadata

    public int[] shape() {
        return shape.clone();
    }

    public int size(int dim) {
        return shape[Shape.dim("size", dim, shape.length)];
    }

    public int[] strides() {
        return strides.clone();
    }

    public int offset() {
        return offset;
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return Shape.numel(shape);
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    public Storage storage() {
        checkOpen();
        return storage;
    }

    public Backend backend() {
        return Backends.of(device());
    }

    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    // ---------------------------------------------------------------- lifetime

    /** Drops this tensor's reference to its storage; the last reference frees the memory. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (weakEntry == null || weakEntry.claim()) storage.release();
    }

    public boolean isClosed() {
        return closed;
    }

    void checkOpen() {
        if (closed || storage.isReleased()) {
            throw new IllegalStateException("tensor " + Shape.str(shape) + " " + dtype() + " was released (closed directly or by its Scope) and cannot be used");
        }
    }

    /** A new tensor object sharing this one's storage and view, owned by no scope (the caller closes it). */
    Tensor alias() {
        checkOpen();
        return Scope.untracked(() -> new Tensor(storage, shape, strides, offset));
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as needing a gradient. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor: use detach()");
        if (value && !dtype().isFloating()) throw new IllegalArgumentException("only floating-point tensors can require gradients, not " + dtype());
        requiresGrad = value;
        return this;
    }

    /** The gradient accumulated into this leaf by {@link #backward()}, or null. */
    public Tensor grad() {
        return grad;
    }

    public void zeroGrad() {
        if (grad != null) grad.close();
        grad = null;
    }

    /** Replaces this leaf's gradient (optimisers and gradient clipping use it). */
    public void setGrad(Tensor g) {
        if (g != null && !Shape.same(g.shape, shape)) throw new ShapeException("setGrad: gradient shape " + Shape.str(g.shape) + " differs from tensor shape " + Shape.str(shape));
        if (grad != null && grad != g) grad.close();
        grad = g;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The name of the op that made this tensor, or null for a leaf. */
    public String opName() {
        return gradFn == null ? null : gradFn.op;
    }

    /** Backward from a scalar with gradient 1. */
    public void backward() {
        if (numel() != 1) throw new ShapeException("backward: called on a tensor of shape " + Shape.str(shape) + "; give the upstream gradient for non-scalar outputs");
        Autograd.backward(this, null);
    }

    /** Backward with a given upstream gradient of this tensor's shape. */
    public void backward(Tensor gradOutput) {
        Autograd.backward(this, gradOutput);
    }

    /** The same values, cut from the graph. Shares storage. */
    public Tensor detach() {
        checkOpen();
        return new Tensor(storage, shape, strides, offset);
    }

    // ---------------------------------------------------------------- host access

    public float[] toFloatArray() {
        return (float[]) Ops.copy(this, DType.FLOAT32).hostArray();
    }

    public double[] toDoubleArray() {
        return (double[]) Ops.copy(this, DType.FLOAT64).hostArray();
    }

    public long[] toLongArray() {
        return (long[]) Ops.copy(this, DType.INT64).hostArray();
    }

    public int[] toIntArray() {
        return (int[]) Ops.copy(this, DType.INT32).hostArray();
    }

    /** The bits of each value as bfloat16 (rounded to nearest even from other dtypes). */
    public short[] toBFloat16Array() {
        return (short[]) Ops.copy(this, DType.BFLOAT16).hostArray();
    }

    private Object hostArray() {
        try (this) {
            return backend().download(this);
        }
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new ShapeException("item: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, not 1");
        return toDoubleArray()[0];
    }

    /** A copy on another device (or this tensor if already there). */
    public Tensor to(Device target) {
        checkOpen();
        if (target.equals(device())) return this;
        Object host = Ops.copy(this, dtype()).hostArray();
        Tensor out = empty(shape, dtype(), target);
        out.backend().upload(out.storage, 0, host);
        return out;
    }

    // ---------------------------------------------------------------- views (see ViewOps for gradients)

    public Tensor reshape(int... newShape) { return ViewOps.reshape(this, newShape); }
    public Tensor view(int... newShape) { return ViewOps.view(this, newShape); }
    public Tensor permute(int... order) { return ViewOps.permute(this, order); }
    public Tensor transpose(int d0, int d1) { return ViewOps.transpose(this, d0, d1); }
    /** Transpose of the last two dims. */
    public Tensor mT() { return ViewOps.transpose(this, -2, -1); }
    public Tensor narrow(int dim, int start, int length) { return ViewOps.narrow(this, dim, start, length); }
    /** Elements {@code from, from+step, ...} below {@code to} along dim. */
    public Tensor slice(int dim, int from, int to, int step) { return ViewOps.slice(this, dim, from, to, step); }
    /** Index {@code i} along dim, dropping the dim. */
    public Tensor select(int dim, int i) { return ViewOps.select(this, dim, i); }
    public Tensor expand(int... newShape) { return ViewOps.expand(this, newShape); }
    public Tensor squeeze(int dim) { return ViewOps.squeeze(this, dim); }
    public Tensor unsqueeze(int dim) { return ViewOps.unsqueeze(this, dim); }
    public Tensor flatten(int startDim, int endDim) { return ViewOps.flatten(this, startDim, endDim); }
    public Tensor contiguous() { return isContiguous() ? this : Ops.copy(this, dtype()); }
    public Tensor cast(DType to) { return to == dtype() ? this : Ops.copy(this, to); }

    // ---------------------------------------------------------------- arithmetic shorthands

    public Tensor add(Tensor o) { return Ops.binary(Backend.Binary.ADD, this, o); }
    public Tensor add(double o) { return add(like(o)); }
    public Tensor sub(Tensor o) { return Ops.binary(Backend.Binary.SUB, this, o); }
    public Tensor sub(double o) { return sub(like(o)); }
    public Tensor mul(Tensor o) { return Ops.binary(Backend.Binary.MUL, this, o); }
    public Tensor mul(double o) { return mul(like(o)); }
    public Tensor div(Tensor o) { return Ops.binary(Backend.Binary.DIV, this, o); }
    public Tensor div(double o) { return div(like(o)); }
    public Tensor pow(Tensor o) { return Ops.binary(Backend.Binary.POW, this, o); }
    public Tensor pow(double o) { return pow(like(o)); }
    public Tensor maximum(Tensor o) { return Ops.binary(Backend.Binary.MAX, this, o); }
    public Tensor minimum(Tensor o) { return Ops.binary(Backend.Binary.MIN, this, o); }
    public Tensor eq(Tensor o) { return Ops.binary(Backend.Binary.EQ, this, o); }
    public Tensor ne(Tensor o) { return Ops.binary(Backend.Binary.NE, this, o); }
    public Tensor lt(Tensor o) { return Ops.binary(Backend.Binary.LT, this, o); }
    public Tensor le(Tensor o) { return Ops.binary(Backend.Binary.LE, this, o); }
    public Tensor gt(Tensor o) { return Ops.binary(Backend.Binary.GT, this, o); }
    public Tensor ge(Tensor o) { return Ops.binary(Backend.Binary.GE, this, o); }
    public Tensor gt(double o) { return gt(like(o)); }
    public Tensor lt(double o) { return lt(like(o)); }
    public Tensor neg() { return Ops.unary(Backend.Unary.NEG, this); }
    public Tensor exp() { return Ops.unary(Backend.Unary.EXP, this); }
    public Tensor log() { return Ops.unary(Backend.Unary.LOG, this); }
    public Tensor sqrt() { return Ops.unary(Backend.Unary.SQRT, this); }
    public Tensor rsqrt() { return Ops.unary(Backend.Unary.RSQRT, this); }
    public Tensor abs() { return Ops.unary(Backend.Unary.ABS, this); }
    public Tensor tanh() { return Ops.unary(Backend.Unary.TANH, this); }
    public Tensor sigmoid() { return Ops.unary(Backend.Unary.SIGMOID, this); }
    public Tensor relu() { return Functional.relu(this); }
    public Tensor matmul(Tensor o) { return Functional.matmul(this, o); }
    public Tensor sum() { return Ops.reduce(Backend.Reduce.SUM, this, allDims(), false); }
    public Tensor sum(int dim, boolean keepdim) { return Ops.reduce(Backend.Reduce.SUM, this, new int[] {dim}, keepdim); }
    public Tensor mean() { return Functional.mean(this, allDims(), false); }
    public Tensor mean(int dim, boolean keepdim) { return Functional.mean(this, new int[] {dim}, keepdim); }
    public Tensor max() { return Ops.reduce(Backend.Reduce.MAX, this, allDims(), false); }
    public Tensor max(int dim, boolean keepdim) { return Ops.reduce(Backend.Reduce.MAX, this, new int[] {dim}, keepdim); }
    public Tensor argmax(int dim, boolean keepdim) { return Ops.argReduce(true, this, dim, keepdim); }
    public Tensor softmax(int dim) { return Ops.softmax(this, dim, false); }
    public Tensor logSoftmax(int dim) { return Ops.softmax(this, dim, true); }

    /** A 0-d tensor of {@code value} with this tensor's dtype and device. */
    public Tensor like(double value) {
        return scalar(value, dtype(), device());
    }

    int[] allDims() {
        int[] d = new int[shape.length];
        for (int i = 0; i < d.length; i++) d[i] = i;
        return d;
    }

    // ---------------------------------------------------------------- printing

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("tensor(");
        if (closed || storage.isReleased()) {
            sb.append("<released>");
        } else if (numel() <= 1000) {
            double[] v = Ops.copy(this, DType.FLOAT64).hostArrayForPrint();
            appendNested(sb, v, 0, 0, dtype().isFloating());
        } else {
            sb.append("...");
        }
        sb.append(", shape=").append(Shape.str(shape)).append(", dtype=").append(dtype());
        if (!device().isCpu()) sb.append(", device=").append(device());
        if (gradFn != null) sb.append(", grad_fn=").append(gradFn.op);
        else if (requiresGrad) sb.append(", requires_grad");
        return sb.append(')').toString();
    }

    private double[] hostArrayForPrint() {
        return (double[]) hostArray();
    }

    private int appendNested(StringBuilder sb, double[] v, int dim, int pos, boolean floating) {
        if (dim == shape.length) {
            sb.append(floating ? String.format("%.4f", v[pos]) : Long.toString((long) v[pos]));
            return pos + 1;
        }
        sb.append('[');
        for (int i = 0; i < shape[dim]; i++) {
            if (i > 0) sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(8 + dim));
            pos = appendNested(sb, v, dim + 1, pos, floating);
        }
        sb.append(']');
        return pos;
    }
}

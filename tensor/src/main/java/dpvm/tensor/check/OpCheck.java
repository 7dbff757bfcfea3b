package dpvm.tensor.check;

import dpvm.tensor.Autograd;
import dpvm.tensor.BFloat16;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Shape;
import dpvm.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The one helper that checks an op on a backend: output shape and dtype, forward values (hand-computed ones when
 * given), gradients against central finite differences in float64 on the CPU, the same results through
 * non-contiguous inputs whose gaps hold NaN (so a kernel that reads a wrong element fails), and the float32
 * results on the device under test against the float64 reference within that precision's tolerance (or the
 * bfloat16 results, {@link #inBFloat16}).
 *
 * <pre>{@code
 * OpCheck.of("mul", x -> x[0].mul(x[1])).input(3, 4).input(4).check(Device.CPU);
 * }</pre>
 */
public final class OpCheck {
    private record Input(int[] shape, double lo, double hi, Tensor fixed, boolean differentiable) {}

    private final String name;
    private final Function<Tensor[], Tensor> op;
    private final List<Input> inputs = new ArrayList<>();
    private int[] expectedShape;
    private double[] expectedValues;
    private boolean gradients = true;
    private Tolerance tolerance = Tolerance.FP32;
    private DType deviceType = DType.FLOAT32;
    private long seed = 17;

    private OpCheck(String name, Function<Tensor[], Tensor> op) {
        this.name = name;
        this.op = op;
    }

    public static OpCheck of(String name, Function<Tensor[], Tensor> op) {
        return new OpCheck(name, op);
    }

    /** A random differentiable input, uniform in [-2, 2). */
    public OpCheck input(int... shape) {
        return inputBetween(-2, 2, shape);
    }

    /** A random differentiable input, uniform in [lo, hi). */
    public OpCheck inputBetween(double lo, double hi, int... shape) {
        inputs.add(new Input(shape, lo, hi, null, true));
        return this;
    }

    /** A given CPU input; float inputs are differentiated, integer ones (indices, labels) are not. */
    public OpCheck input(Tensor fixed) {
        inputs.add(new Input(fixed.shape(), 0, 0, fixed, fixed.dtype().isFloating()));
        return this;
    }

    /** A given float input that is not differentiated (masks, targets). */
    public OpCheck constant(Tensor fixed) {
        inputs.add(new Input(fixed.shape(), 0, 0, fixed, false));
        return this;
    }

    public OpCheck expectShape(int... shape) {
        expectedShape = shape;
        return this;
    }

    /** Hand-computed forward values (row-major), checked to 1e-6 relative. */
    public OpCheck expectValues(double... values) {
        expectedValues = values;
        return this;
    }

    /** For ops without gradients (comparisons, argmax). */
    public OpCheck withoutGradients() {
        gradients = false;
        return this;
    }

    public OpCheck tolerance(Tolerance t) {
        tolerance = t;
        return this;
    }

    /**
     * Checks the device run in bfloat16 instead of float32, within {@link Tolerance#BF16}: random inputs are drawn
     * as bfloat16 values, so the float64 reference sees exactly what the bfloat16 run does.
     */
    public OpCheck inBFloat16() {
        deviceType = DType.BFLOAT16;
        tolerance = Tolerance.BF16;
        return this;
    }

    public OpCheck seed(long s) {
        seed = s;
        return this;
    }

    /** Runs every check; throws AssertionError naming the op and what differs. */
    public void check(Device device) {
        Rng rng = new Rng(seed);
        double[][] values = new double[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) values[i] = valuesOf(inputs.get(i), rng);

        // float64 reference on the CPU, contiguous inputs
        Result ref = run(values, DType.FLOAT64, Device.CPU, false, null);
        if (expectedShape != null && !Shape.same(expectedShape, ref.shape)) fail("shape " + Shape.str(ref.shape) + ", expected " + Shape.str(expectedShape));
        if (expectedValues != null) compare("forward values vs hand-computed", ref.out, expectedValues, new Tolerance("hand", 1e-6, 1e-9));
        double[] upstream = ref.floating ? new Rng(seed + 1).uniform(ref.shape, DType.FLOAT64, Device.CPU).mul(2).sub(1).toDoubleArray() : null;
        if (upstream != null && deviceType == DType.BFLOAT16) {
            for (int k = 0; k < upstream.length; k++) upstream[k] = BFloat16.round((float) upstream[k]);
        }
        if (gradients && ref.floating) {
            ref = run(values, DType.FLOAT64, Device.CPU, false, upstream);
            checkGradients(values, upstream, ref);
        }

        // the same through non-contiguous, NaN-poisoned views
        Result strided = run(values, DType.FLOAT64, Device.CPU, true, gradients && ref.floating ? upstream : null);
        compare("forward through strided inputs", strided.out, ref.out, Tolerance.FP64);
        if (gradients && ref.floating) {
            for (int i = 0; i < values.length; i++) {
                if (ref.grads[i] != null) compare("gradient of input " + i + " through strided inputs", strided.grads[i], ref.grads[i], Tolerance.FP64);
            }
        }

        // float32 (or bfloat16) on the device under test against the float64 reference
        Result dev = run(values, deviceType, device, false, gradients && ref.floating ? upstream : null);
        if (!Shape.same(dev.shape, ref.shape)) fail(deviceType + " on " + device + " gave shape " + Shape.str(dev.shape) + ", float64 reference " + Shape.str(ref.shape));
        if (dev.dtype != expectedDtype(ref.dtype, deviceType)) fail(deviceType + " inputs gave dtype " + dev.dtype + ", expected " + expectedDtype(ref.dtype, deviceType));
        compare(deviceType + " forward on " + device, dev.out, ref.out, tolerance);
        if (gradients && ref.floating) {
            for (int i = 0; i < values.length; i++) {
                if (ref.grads[i] != null) {
                    if (dev.gradTypes[i] != deviceType) fail(deviceType + " gradient of input " + i + " has dtype " + dev.gradTypes[i]);
                    String what = deviceType + " gradient of input " + i + " on " + device;
                    // a bfloat16 gradient of a broadcast input sums partials each rounded to bfloat16: judged norm-wise
                    if (deviceType == DType.BFLOAT16) {
                        String m = tolerance.normWiseMismatch(dev.grads[i], ref.grads[i]);
                        if (m != null) fail(what + ": " + m);
                    } else {
                        compare(what, dev.grads[i], ref.grads[i], tolerance);
                    }
                }
            }
        }
    }

    private static DType expectedDtype(DType refDtype, DType floatType) {
        return refDtype == DType.FLOAT64 ? floatType : refDtype;
    }

    private double[] valuesOf(Input in, Rng rng) {
        if (in.fixed != null) return in.fixed.toDoubleArray();
        double[] u = rng.uniform(in.shape, DType.FLOAT64, Device.CPU).toDoubleArray();
        // values the device run's dtype represents, so it sees exactly the reference's inputs
        for (int k = 0; k < u.length; k++) {
            float v = (float) (in.lo + (in.hi - in.lo) * u[k]);
            u[k] = deviceType == DType.BFLOAT16 ? BFloat16.round(v) : v;
        }
        return u;
    }

    private record Result(int[] shape, DType dtype, boolean floating, double[] out, double[][] grads, DType[] gradTypes) {}

    private Tensor[] build(double[][] values, DType floatType, Device device, boolean strided, boolean withGrad) {
        Tensor[] xs = new Tensor[inputs.size()];
        for (int i = 0; i < xs.length; i++) {
            Input in = inputs.get(i);
            boolean isFloat = in.fixed == null || in.fixed.dtype().isFloating();
            DType dt = isFloat ? floatType : in.fixed.dtype();
            Tensor t = strided && in.shape.length > 0 ? poisonedView(values[i], in.shape, dt, device) : Tensor.of(values[i], in.shape).cast(dt).to(device).detach();
            if (!isFloat) t = in.fixed.to(device);
            if (withGrad && in.differentiable) t.requiresGrad(true);
            xs[i] = t;
        }
        return xs;
    }

    /** values laid out at every other position of the last dim, with NaN in between: a non-contiguous view. */
    private static Tensor poisonedView(double[] values, int[] shape, DType dt, Device device) {
        int[] wide = shape.clone();
        wide[wide.length - 1] *= 2;
        double[] w = new double[Shape.numel(wide)];
        Arrays.fill(w, Double.NaN);
        for (int k = 0; k < values.length; k++) w[2 * k] = values[k];
        Tensor big = Tensor.of(w, wide).cast(dt).to(device);
        return big.slice(-1, 0, wide[wide.length - 1], 2).detach();
    }

    private Result run(double[][] values, DType floatType, Device device, boolean strided, double[] upstream) {
        Tensor[] xs = build(values, floatType, device, strided, upstream != null);
        Tensor y = op.apply(xs);
        boolean floating = y.dtype().isFloating();
        double[][] grads = new double[xs.length][];
        DType[] gradTypes = new DType[xs.length];
        if (upstream != null) {
            Tensor r = Tensor.of(upstream, y.shape()).cast(y.dtype()).to(device);
            y.mul(r).sum().backward();
            for (int i = 0; i < xs.length; i++) {
                if (inputs.get(i).differentiable) {
                    if (xs[i].grad() == null) fail("input " + i + " received no gradient");
                    grads[i] = xs[i].grad().toDoubleArray();
                    gradTypes[i] = xs[i].grad().dtype();
                }
            }
        }
        return new Result(y.shape(), y.dtype(), floating, y.toDoubleArray(), grads, gradTypes);
    }

    /** Central differences of sum(op(x) * upstream) in float64 against the analytic gradients in ref. */
    private void checkGradients(double[][] values, double[] upstream, Result ref) {
        double h = 1e-6;
        Tensor r = Tensor.of(upstream, ref.shape);
        for (int i = 0; i < values.length; i++) {
            if (!inputs.get(i).differentiable) continue;
            double[] numeric = new double[values[i].length];
            for (int k = 0; k < values[i].length; k++) {
                double keep = values[i][k];
                values[i][k] = keep + h;
                double plus = objective(values, r);
                values[i][k] = keep - h;
                double minus = objective(values, r);
                values[i][k] = keep;
                numeric[k] = (plus - minus) / (2 * h);
            }
            compare("analytic vs finite-difference gradient of input " + i, ref.grads[i], numeric, Tolerance.GRADCHECK);
        }
    }

    private double objective(double[][] values, Tensor upstream) {
        return Autograd.noGrad(() -> op.apply(build(values, DType.FLOAT64, Device.CPU, false, false)).mul(upstream).sum().item());
    }

    private void compare(String what, double[] out, double[] ref, Tolerance tol) {
        String m = tol.mismatch(out, ref);
        if (m != null) fail(what + ": " + m);
    }

    private void fail(String message) {
        throw new AssertionError("op '" + name + "': " + message);
    }
}

package dpvm.nn.optim;

import dpvm.tensor.Autograd;
import dpvm.tensor.Backend;
import dpvm.tensor.DType;
import dpvm.tensor.Functional;
import dpvm.tensor.Ops;
import dpvm.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam and AdamW with exactly PyTorch's update rules: bias-corrected moments, eps added to the bias-corrected
 * root of the second moment, L2 weight decay folded into the gradient (Adam) or decoupled (AdamW). Runs as one
 * fused backend primitive per parameter.
 */
public final class Adam implements Optimizer {
    private boolean closed;
    private final List<Tensor> params;
    private final List<Tensor> m = new ArrayList<>(), v = new ArrayList<>();
    private final double beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private double lr;
    private final long[] stepsTaken;

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        if (lr < 0 || eps < 0 || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || weightDecay < 0) {
            throw new IllegalArgumentException("Adam: invalid hyper-parameters lr=" + lr + " betas=(" + beta1 + ", " + beta2 + ") eps=" + eps + " weight_decay=" + weightDecay);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.stepsTaken = new long[this.params.size()];
        for (Tensor p : this.params) {
            if (!p.isContiguous()) throw new IllegalArgumentException("Adam: parameters must be contiguous, got strides " + java.util.Arrays.toString(p.strides()));
            if (p.dtype() == dpvm.tensor.DType.BFLOAT16) {
                // updates smaller than half a bfloat16 step would round away: train float32 weights, cast them in forward
                throw new IllegalArgumentException("Adam: parameter of shape " + java.util.Arrays.toString(p.shape()) + " is bfloat16; keep float32 parameters and cast them to bfloat16 in the forward pass");
            }
            m.add(Autograd.noGrad(() -> Tensor.zeros(p.shape(), p.dtype(), p.device())));
            v.add(Autograd.noGrad(() -> Tensor.zeros(p.shape(), p.dtype(), p.device())));
        }
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Adam of(List<Tensor> params, double lr) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** torch.optim.AdamW with its defaults (betas (0.9, 0.999), eps 1e-8) and the given decoupled decay. */
    public static Adam adamw(List<Tensor> params, double lr, double weightDecay) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, weightDecay, true);
    }

    @Override
    public List<Tensor> params() {
        return params;
    }

    @Override
    public void setLearningRate(double lr) {
        this.lr = lr;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    /** Updates taken by parameter i (PyTorch counts per parameter: one without a gradient is not stepped). */
    public long steps(int i) {
        return stepsTaken[i];
    }

    /** One update of every parameter that has a gradient. */
    @Override
    public void step() {
        if (closed) throw new IllegalStateException("Adam: step after close (its state is freed)");
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p.grad() == null) continue;
            Backend.AdamStep h = new Backend.AdamStep(lr, beta1, beta2, eps, weightDecay, decoupled, ++stepsTaken[i]);
            Tensor g = p.grad().contiguous();
            p.backend().adamStep(p, g, m.get(i), v.get(i), h);
            if (g != p.grad()) g.close();
        }
    }

    /**
     * PyTorch's Adam state per stepped parameter i: {@code state.i.step} (a float32 0-d tensor, as torch stores
     * it), {@code state.i.exp_avg}, {@code state.i.exp_avg_sq}. The moments are copies.
     */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            if (stepsTaken[i] == 0) continue;
            final int k = i;
            out.put("state." + i + ".step", Tensor.scalar(stepsTaken[i], DType.FLOAT32, params.get(i).device()));
            out.put("state." + i + ".exp_avg", Autograd.noGrad(() -> Ops.copy(m.get(k), m.get(k).dtype())));
            out.put("state." + i + ".exp_avg_sq", Autograd.noGrad(() -> Ops.copy(v.get(k), v.get(k).dtype())));
        }
        return out;
    }

    /** Restores moments and step counts; parameters absent from {@code state} start afresh. */
    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        for (int i = 0; i < params.size(); i++) {
            Tensor step = state.get("state." + i + ".step");
            Tensor ma = state.get("state." + i + ".exp_avg"), va = state.get("state." + i + ".exp_avg_sq");
            final int k = i;
            Autograd.noGrad(() -> {
                if (step == null) {
                    stepsTaken[k] = 0;
                    Functional.assign(m.get(k), m.get(k).like(0));
                    Functional.assign(v.get(k), v.get(k).like(0));
                } else {
                    if (ma == null || va == null) throw new IllegalArgumentException("Adam state for parameter " + k + " has a step but no moments");
                    stepsTaken[k] = Math.round(step.item());
                    Functional.assign(m.get(k), ma.to(m.get(k).device()));
                    Functional.assign(v.get(k), va.to(v.get(k).device()));
                }
                return null;
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Tensor t : m) t.close();
        for (Tensor t : v) t.close();
    }
}

package dpvm.nn.optim;

import dpvm.tensor.Autograd;
import dpvm.tensor.Functional;
import dpvm.tensor.Ops;
import dpvm.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.SGD: d = g + wd*p; with momentum, buf = d on the first step, then buf = mu*buf + (1-dampening)*d,
 * and d = d + mu*buf (Nesterov) or d = buf; finally p -= lr*d.
 */
public final class Sgd implements Optimizer {
    private boolean closed;
    private final List<Tensor> params;
    private final List<Tensor> buffers = new ArrayList<>();
    private final List<Boolean> started = new ArrayList<>();
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private double lr;

    public Sgd(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        if (lr < 0 || momentum < 0 || weightDecay < 0) throw new IllegalArgumentException("SGD: invalid lr=" + lr + " momentum=" + momentum + " weight_decay=" + weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
        this.params = List.copyOf(params);
        this.lr = lr;
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        for (int i = 0; i < this.params.size(); i++) started.add(false);
        // allocated here rather than at the first step, which usually runs inside a Scope that would close them
        for (Tensor p : this.params) buffers.add(momentum == 0 ? null : Autograd.noGrad(() -> Tensor.zeros(p.shape(), p.dtype(), p.device())));
    }

    public static Sgd of(List<Tensor> params, double lr) {
        return new Sgd(params, lr, 0, 0, 0, false);
    }

    @Override
    public void step() {
        if (closed) throw new IllegalStateException("Sgd: step after close (its state is freed)");
        Autograd.noGrad(() -> {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                if (p.grad() == null) continue;
                Tensor d = p.grad();
                if (weightDecay != 0) d = d.add(p.mul(weightDecay));
                if (momentum != 0) {
                    Tensor buf = buffers.get(i);
                    if (!started.get(i)) {
                        Functional.assign(buf, d);
                        started.set(i, true);
                    } else {
                        Functional.assign(buf, buf.mul(momentum).add(d.mul(1 - dampening)));
                    }
                    d = nesterov ? d.add(buf.mul(momentum)) : buf;
                }
                Functional.assign(p, p.sub(d.mul(lr)));
            }
            return null;
        });
    }

    @Override
    public List<Tensor> params() {
        return params;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        this.lr = lr;
    }

    /** {@code state.i.momentum_buffer} (a copy) for each parameter that has taken a momentum step. */
    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < buffers.size(); i++) {
            final int k = i;
            if (started.get(i)) out.put("state." + i + ".momentum_buffer", Autograd.noGrad(() -> Ops.copy(buffers.get(k), buffers.get(k).dtype())));
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        for (int i = 0; i < params.size(); i++) {
            Tensor b = state.get("state." + i + ".momentum_buffer");
            started.set(i, b != null && buffers.get(i) != null);
            if (!started.get(i)) continue;
            Tensor buf = buffers.get(i);
            Autograd.noGrad(() -> {
                Functional.assign(buf, b.to(buf.device()));
                return null;
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Tensor t : buffers) if (t != null) t.close();
    }
}

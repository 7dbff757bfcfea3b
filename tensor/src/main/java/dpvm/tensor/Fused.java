package dpvm.tensor;

import dpvm.tensor.Backend.Binary;
import dpvm.tensor.Backend.Unary;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A chain of elementwise ops run as one kernel: one read of each input and one write of each output instead of
 * a pass over memory (and a saved temporary) per op. The program is a list of {@link Expr}s over {@code inputs}
 * tensors of one floating dtype, broadcast to a common shape; backends evaluate it with every node rounded to
 * that dtype, so a fused chain gives the values of the same chain run op by op. The CUDA backend generates,
 * compiles and caches a kernel per program at run time; the CPU backend interprets it.
 *
 * <p>The gradient is derived from the program itself, by the elementwise rules autograd uses
 * ({@link ElementwiseRules}) applied in reverse over the expression graph: one more fused program, over the
 * inputs and the upstream gradient, computes every needed input's gradient in a single pass, recomputing the
 * forward's intermediates instead of keeping them.
 *
 * <pre>{@code
 * Expr x = Expr.input(0);
 * static final Fused SILU = Fused.define("silu", 1, x.mul(x.sigmoid()));
 * Tensor y = SILU.apply(t);
 * }</pre>
 */
public final class Fused {
    public static final int MAX_INPUTS = 16, MAX_OUTPUTS = 8;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Map<String, Fused> INTERNED = new ConcurrentHashMap<>();

    /** One node of the evaluation order: its kind, operator or constant, and the slots of its arguments. */
    public record Node(Expr.Kind kind, int input, double value, Unary unary, Binary binary, int[] args) {}

    /** The backward of a program for a set of inputs: {@code outputOf[i]} is the output holding input i's gradient, or -1. */
    record Backward(Fused program, int[] outputOf) {}

    private final String name;
    private final int inputs;
    private final Expr[] outputs;
    private final List<Node> nodes = new ArrayList<>();
    private final int[] outputSlots;
    private final String key;
    private final Map<Integer, Backward> backwards = new ConcurrentHashMap<>();

    private Fused(String name, int inputs, Expr[] outputs, String key) {
        this.name = name;
        this.inputs = inputs;
        this.outputs = outputs;
        this.key = key;
        Map<Expr, Integer> slots = new HashMap<>();
        outputSlots = new int[outputs.length];
        for (int k = 0; k < outputs.length; k++) outputSlots[k] = slot(outputs[k], slots);
    }

    /**
     * The program computing {@code outputs} from {@code inputs} tensors. {@code name} (lower case letters, digits,
     * underscores) labels the op in profiles and kernel names. Programs are interned: defining the same one twice
     * returns the first, with its compiled kernels and derived gradients.
     */
    public static Fused define(String name, int inputs, Expr... outputs) {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("fused: name must be lower case letters, digits and underscores (at most 64), got '" + name + "'");
        if (inputs < 1 || inputs > MAX_INPUTS) throw new IllegalArgumentException("fused " + name + ": takes 1 to " + MAX_INPUTS + " inputs, got " + inputs);
        if (outputs.length < 1 || outputs.length > MAX_OUTPUTS) throw new IllegalArgumentException("fused " + name + ": makes 1 to " + MAX_OUTPUTS + " outputs, got " + outputs.length);
        StringBuilder key = new StringBuilder(name).append('/').append(inputs);
        for (Expr e : outputs) {
            if (e.maxInput() >= inputs) throw new IllegalArgumentException("fused " + name + ": output " + e + " reads input x" + e.maxInput() + " but the program has " + inputs + " inputs");
            key.append('|').append(e);
        }
        return INTERNED.computeIfAbsent(key.toString(), k -> new Fused(name, inputs, outputs.clone(), k));
    }

    private int slot(Expr e, Map<Expr, Integer> slots) {
        Integer s = slots.get(e);
        if (s != null) return s;
        int[] args = new int[e.arity()];
        for (int i = 0; i < args.length; i++) args[i] = slot(e.arg(i), slots);
        nodes.add(new Node(e.kind(), e.index(), e.value(), e.unaryOp(), e.binaryOp(), args));
        slots.put(e, nodes.size() - 1);
        return nodes.size() - 1;
    }

    public String name() { return name; }

    public int inputs() { return inputs; }

    public int outputs() { return outputs.length; }

    public Expr output(int k) { return outputs[k]; }

    /** Every distinct subexpression once, arguments before their users. */
    public List<Node> nodes() { return List.copyOf(nodes); }

    /** The node whose value is output k. */
    public int outputSlot(int k) { return outputSlots[k]; }

    /** Identifies the program (name, input count and output texts): the key of compiled-kernel caches. */
    public String key() { return key; }

    /** The single output, with its gradient recorded. */
    public Tensor apply(Tensor... xs) {
        if (outputs.length != 1) throw new IllegalArgumentException("fused " + name + ": has " + outputs.length + " outputs; use applyAll");
        return Ops.fused(this, xs)[0];
    }

    /** Every output; gradients are recorded only for single-output programs. */
    public Tensor[] applyAll(Tensor... xs) {
        return Ops.fused(this, xs);
    }

    /** The program giving the gradients of the inputs flagged in {@code need}; its inputs are this one's plus the upstream gradient. */
    Backward backward(boolean[] need) {
        int mask = 0;
        for (int i = 0; i < inputs; i++) if (need[i]) mask |= 1 << i;
        return backwards.computeIfAbsent(mask, m -> derive(need));
    }

    private Backward derive(boolean[] need) {
        // reverse mode over the expression graph, with the same rules autograd applies to tensors
        ElementwiseRules.Arith<Expr> m = ElementwiseRules.EXPRESSIONS;
        List<Expr> order = new ArrayList<>();
        topological(outputs[0], new HashSet<>(), order);
        Set<Expr> live = new HashSet<>(); // subexpressions that depend on a needed input
        for (Expr e : order) {
            boolean d = e.kind() == Expr.Kind.INPUT && need[e.index()];
            for (int i = 0; i < e.arity() && !d; i++) d = live.contains(e.arg(i));
            if (d) live.add(e);
        }
        Map<Expr, Expr> adjoint = new LinkedHashMap<>();
        adjoint.put(outputs[0], Expr.input(inputs));
        for (int k = order.size() - 1; k >= 0; k--) {
            Expr e = order.get(k);
            Expr g = adjoint.get(e);
            if (g == null || !live.contains(e)) continue;
            switch (e.kind()) {
                case INPUT, CONSTANT -> { }
                case UNARY -> accumulate(adjoint, e.arg(0), ElementwiseRules.unary(e.unaryOp(), e.arg(0), e, g, m));
                case BINARY -> {
                    ElementwiseRules.Pair<Expr> p = ElementwiseRules.binary(e.binaryOp(), e.arg(0), e.arg(1), e, g, live.contains(e.arg(0)), live.contains(e.arg(1)), m);
                    accumulate(adjoint, e.arg(0), p.a());
                    accumulate(adjoint, e.arg(1), p.b());
                }
                case WHERE -> {
                    ElementwiseRules.Pair<Expr> p = ElementwiseRules.where(e.arg(0), g, live.contains(e.arg(1)), live.contains(e.arg(2)), m);
                    accumulate(adjoint, e.arg(1), p.a());
                    accumulate(adjoint, e.arg(2), p.b());
                }
            }
        }
        List<Expr> grads = new ArrayList<>();
        int[] outputOf = new int[inputs];
        for (int i = 0; i < inputs; i++) {
            Expr g = need[i] ? adjoint.get(Expr.input(i)) : null;
            outputOf[i] = g == null ? -1 : grads.size();
            if (g != null) grads.add(g);
        }
        if (grads.isEmpty()) return new Backward(null, outputOf);
        return new Backward(define(name + "_backward", inputs + 1, grads.toArray(new Expr[0])), outputOf);
    }

    private static void accumulate(Map<Expr, Expr> adjoint, Expr at, Expr contribution) {
        if (contribution == null) return;
        adjoint.merge(at, contribution, Expr::add);
    }

    private static void topological(Expr e, Set<Expr> seen, List<Expr> order) {
        if (!seen.add(e)) return;
        for (int i = 0; i < e.arity(); i++) topological(e.arg(i), seen, order);
        order.add(e);
    }

    @Override
    public String toString() {
        return "fused " + key;
    }
}

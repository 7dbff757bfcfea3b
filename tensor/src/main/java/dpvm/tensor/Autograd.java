package dpvm.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode autograd over the dynamic graph that {@link Ops} and {@link ViewOps} record. Gradients of a
 * tensor used several times accumulate; leaves keep theirs in {@link Tensor#grad()} across calls until zeroed;
 * the graph is released after backward.
 */
public final class Autograd {
    /** A gradient rule: the gradients of an op's inputs (null where not needed) from its output's gradient. */
    @FunctionalInterface
    public interface Rule {
        Tensor[] apply(Tensor gradOut);
    }

    /** One recorded op: its name, its inputs and how to send a gradient back to them. */
    static final class Node {
        final String op;
        final Tensor[] inputs;
        final Rule rule;

        Node(String op, Tensor[] inputs, Rule rule) {
            this.op = op;
            this.inputs = inputs;
            this.rule = rule;
        }
    }

    private static final ThreadLocal<Integer> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> 0);
    private static final ThreadLocal<Boolean> IN_BACKWARD = ThreadLocal.withInitial(() -> false);

    /** True while gradient rules run (anomaly mode then blames the rule's op, not the ops inside it). */
    static boolean inBackward() {
        return IN_BACKWARD.get();
    }

    private Autograd() {}

    /** Whether ops record gradients on this thread now. */
    public static boolean isEnabled() {
        return NO_GRAD_DEPTH.get() == 0;
    }

    /** A scope in which no op records a graph (evaluation, optimiser updates). */
    public static AutoCloseable noGrad() {
        NO_GRAD_DEPTH.set(NO_GRAD_DEPTH.get() + 1);
        return new AutoCloseable() {
            boolean done;

            @Override
            public void close() {
                if (!done) {
                    done = true;
                    NO_GRAD_DEPTH.set(NO_GRAD_DEPTH.get() - 1);
                }
            }
        };
    }

    /** Runs body with gradient recording off. */
    public static <T> T noGrad(java.util.function.Supplier<T> body) {
        NO_GRAD_DEPTH.set(NO_GRAD_DEPTH.get() + 1);
        try {
            return body.get();
        } finally {
            NO_GRAD_DEPTH.set(NO_GRAD_DEPTH.get() - 1);
        }
    }

    /** Attaches {@code rule} to {@code out} when any input needs a gradient and recording is on. */
    static Tensor record(String op, Tensor out, Rule rule, Tensor... inputs) {
        Anomaly.check(op, out);
        if (!isEnabled()) return out;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                out.requiresGrad = true;
                out.gradFn = new Node(op, inputs, rule);
                break;
            }
        }
        return out;
    }

    static void backward(Tensor root, Tensor gradRoot) {
        if (!root.requiresGrad) throw new IllegalStateException("backward: the tensor does not require grad (no input of its graph has requiresGrad(true))");
        // gradients made by this pass are freed as soon as nothing needs them, so the peak of a backward pass is
        // the live gradients, not every gradient of the graph; tensors from before (the caller's upstream
        // gradient, the forward's tensors a rule may pass on) are never touched
        long firstOwn = Tensor.nextSerial();
        if (gradRoot == null) {
            gradRoot = Tensor.full(root.shape, 1, root.dtype(), root.device());
        } else if (!Shape.same(gradRoot.shape, root.shape)) {
            throw new ShapeException("backward: upstream gradient shape " + Shape.str(gradRoot.shape) + " differs from output shape " + Shape.str(root.shape));
        }
        List<Tensor> order = topologicalOrder(root);
        Set<Storage> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
        handedOut.add(gradRoot.storage);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        Map<Tensor, Integer> uses = new IdentityHashMap<>(); // how many entries of grads hold each gradient
        grads.put(root, gradRoot);
        uses.put(gradRoot, 1);
        IN_BACKWARD.set(true);
        try (AutoCloseable ignored = noGrad()) {
            List<Tensor> done = new ArrayList<>();
            for (Tensor t : order) {
                Tensor g = grads.remove(t);
                if (g == null) continue;
                uses.merge(g, -1, Integer::sum);
                done.add(g);
                if (t.gradFn == null) {
                    accumulateLeaf(t, g, handedOut); // keeps an alias or a copy: g itself can go
                } else {
                    Node node = t.gradFn;
                    Tensor[] inGrads = node.rule.apply(g);
                    for (int i = 0; i < node.inputs.length; i++) {
                        Tensor in = node.inputs[i];
                        if (in == null || !in.requiresGrad || inGrads[i] == null) continue;
                        Tensor gi = inGrads[i];
                        if (!Shape.same(gi.shape, in.shape)) {
                            throw new IllegalStateException("gradient rule of " + node.op + " returned shape " + Shape.str(gi.shape) + " for input " + i + " of shape " + Shape.str(in.shape));
                        }
                        Anomaly.checkGradient(node.op, gi);
                        Tensor prev = grads.get(in);
                        Tensor next = prev == null ? gi : prev.add(gi);
                        grads.put(in, next);
                        uses.merge(next, 1, Integer::sum);
                        if (prev != null) {
                            uses.merge(prev, -1, Integer::sum);
                            done.add(prev);
                            done.add(gi);
                        }
                    }
                }
                for (Tensor d : done) {
                    if (d.serial >= firstOwn && uses.getOrDefault(d, 0) <= 0) {
                        uses.remove(d);
                        d.close();
                    }
                }
                done.clear();
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            IN_BACKWARD.set(false);
        }
        for (Tensor t : order) t.gradFn = null; // releases the graph: saved tensors become collectable
    }

    /**
     * Stores g as the leaf's gradient. A gradient that owns its whole storage and was handed to no other leaf
     * (nor is the caller's upstream gradient) is kept as it is; anything shared or strided is copied first,
     * because optimisers and gradient clipping may write gradients in place.
     */
    private static void accumulateLeaf(Tensor leaf, Tensor g, Set<Storage> handedOut) {
        if (leaf.grad == null) {
            boolean exclusive = g.isContiguous() && g.offset == 0 && g.numel() == g.storage.size() && g.dtype() == leaf.dtype();
            if (exclusive && handedOut.add(g.storage)) {
                leaf.grad = g.alias();
            } else {
                leaf.grad = Ops.copy(g, leaf.dtype()).alias();
            }
        } else {
            Tensor sum = leaf.grad.add(g).alias();
            leaf.grad.close();
            leaf.grad = sum;
        }
    }

    /** Tensors reachable from root, each after every tensor that uses it (iterative DFS: deep graphs are fine). */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> post = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayList<Object[]> stack = new ArrayList<>();
        stack.add(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.get(stack.size() - 1);
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] ins = t.gradFn == null ? new Tensor[0] : t.gradFn.inputs;
            if (next < ins.length) {
                top[1] = next + 1;
                Tensor in = ins[next];
                if (in != null && in.requiresGrad && seen.add(in)) stack.add(new Object[] {in, 0});
            } else {
                post.add(t);
                stack.remove(stack.size() - 1);
            }
        }
        Collections.reverse(post);
        return post;
    }
}

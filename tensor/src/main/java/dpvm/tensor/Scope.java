package dpvm.tensor;

import java.util.ArrayDeque;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Deterministic release of intermediate tensors. Every tensor made while a scope is open on this thread belongs
 * to the innermost scope; closing the scope closes them, except those handed on with {@link #keep}. A training
 * step inside a scope therefore frees all its activations and graph at the end of the step, on every backend.
 *
 * <pre>{@code
 * try (Scope step = Scope.open()) {
 *     Tensor loss = model.forward(x);
 *     loss.backward();
 *     optimiser.step();
 *     lossValue = loss.item();
 * }
 * }</pre>
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);
    private static final ThreadLocal<Integer> UNTRACKED = ThreadLocal.withInitial(() -> 0);

    // Tensors made while gradients are recorded are held strongly: closing the scope frees each one at once, on
    // every backend. Tensors made under noGrad are held weakly: nothing needs them after their last use, so a
    // long inference pass frees activations as it goes instead of holding all of them until the scope closes.
    private final List<Object> owned = new ArrayList<>();
    private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private Scope() {}

    public static Scope open() {
        Scope s = new Scope();
        STACK.get().push(s);
        return s;
    }

    static void track(Tensor t) {
        if (UNTRACKED.get() > 0) return;
        Scope s = STACK.get().peek();
        if (s != null) s.owned.add(Autograd.isEnabled() ? t : new WeakReference<>(t));
    }

    /** Runs {@code body} without registering the tensors it makes with any scope. */
    static <T> T untracked(Supplier<T> body) {
        UNTRACKED.set(UNTRACKED.get() + 1);
        try {
            return body.get();
        } finally {
            UNTRACKED.set(UNTRACKED.get() - 1);
        }
    }

    /**
     * Runs one backend call in its own scope, keeping only what it returns: the backend's temporaries (permuted
     * views, contiguous copies) are released as soon as the op is done, on every backend.
     */
    static Tensor[] primitive(Supplier<Tensor[]> call) {
        try (Scope s = open()) {
            Tensor[] out = call.get();
            for (Tensor t : out) s.keep(t);
            return out;
        }
    }

    static Tensor primitive1(Supplier<Tensor> call) {
        return primitive(() -> new Tensor[] {call.get()})[0];
    }

    /** Hands {@code t} to the enclosing scope (or to nobody, if this is the outermost) instead of closing it. */
    public Tensor keep(Tensor t) {
        kept.add(t);
        return t;
    }

    /** Number of tensors made in this scope and not kept (for tests and leak hunting). */
    public int ownedCount() {
        return owned.size() - kept.size();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        ArrayDeque<Scope> stack = STACK.get();
        if (stack.peek() != this) throw new IllegalStateException("scopes closed out of order");
        stack.pop();
        Scope parent = stack.peek();
        for (Object entry : owned) {
            Tensor t = entry instanceof WeakReference<?> ref ? (Tensor) ref.get() : (Tensor) entry;
            if (t == null) continue; // collected: its storage's cleaner has freed or will free the memory
            if (kept.contains(t)) {
                if (parent != null) parent.owned.add(entry);
            } else {
                t.close();
            }
        }
        owned.clear();
    }
}

package dpvm.tensor;

import java.util.ArrayDeque;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
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
    // every backend. Tensors made under noGrad (backward's temporaries among them) are held weakly: nothing needs
    // them after their last use, so a long inference pass frees activations as it goes instead of holding all of
    // them until the scope closes. Either way, nothing made in the scope holds memory after it closes.
    private final List<Object> owned = new ArrayList<>();
    private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private Scope() {}

    public static Scope open() {
        Scope s = new Scope();
        STACK.get().push(s);
        return s;
    }

    /** Registers a new tensor with the innermost scope; returns the entry when it is held weakly, else null. */
    static WeakEntry track(Tensor t) {
        if (UNTRACKED.get() > 0) return null;
        Scope s = STACK.get().peek();
        if (s == null) return null;
        if (Autograd.isEnabled()) {
            s.owned.add(t);
            return null;
        }
        WeakEntry e = new WeakEntry(t);
        s.owned.add(e);
        return e;
    }

    /**
     * A tensor held weakly, and its storage reference. A collected tensor cannot be closed, and its storage may
     * still be reachable through another tensor (a view, or the alias autograd stores as a leaf's gradient): the
     * scope then drops the collected tensor's reference when it closes, or that storage would stay allocated
     * until every other holder is collected too. The storage itself is held weakly, so one nothing else uses is
     * still freed by its Cleaner as soon as it is collected.
     */
    static final class WeakEntry extends WeakReference<Tensor> {
        private static final AtomicIntegerFieldUpdater<WeakEntry> DROPPED = AtomicIntegerFieldUpdater.newUpdater(WeakEntry.class, "dropped");
        private final WeakReference<Storage> storage;
        private volatile int dropped;

        WeakEntry(Tensor t) {
            super(t);
            storage = new WeakReference<>(t.storage);
        }

        /** Takes the right to drop the storage reference; true exactly once, for the tensor's close or the scope's. */
        boolean claim() {
            return DROPPED.compareAndSet(this, 0, 1);
        }

        void dropIfCollected() {
            if (get() != null || !claim()) return;
            Storage s = storage.get();
            if (s != null) s.release();
        }
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
            Tensor t = entry instanceof WeakEntry ref ? ref.get() : (Tensor) entry;
            if (t == null) {
                ((WeakEntry) entry).dropIfCollected();
                continue;
            }
            if (kept.contains(t)) {
                if (parent != null) parent.owned.add(entry);
            } else {
                t.close();
            }
        }
        owned.clear();
    }
}

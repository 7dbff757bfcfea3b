package dpvm.tensor;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deterministic release: scopes free what they made, keep what is handed on, and views keep storage alive. */
class ScopeTest {
    @Test
    void closingAScopeReleasesItsTensorsButNotKeptOnes() {
        Tensor kept;
        Tensor dropped;
        try (Scope s = Scope.open()) {
            dropped = Tensor.ones(4).mul(2);
            kept = s.keep(dropped.add(1));
        }
        assertTrue(dropped.isClosed());
        assertTrue(dropped.storage.isReleased());
        assertFalse(kept.isClosed());
        assertEquals(12, kept.sum().item(), 1e-6);
        var e = assertThrows(IllegalStateException.class, () -> dropped.add(1));
        assertTrue(e.getMessage().contains("released"), e.getMessage());
    }

    @Test
    void storageLivesWhileAnyViewIsOpen() {
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        Tensor view = base.narrow(0, 1, 2);
        base.close();
        assertFalse(view.storage.isReleased());
        assertEquals(5, view.sum().item(), 1e-6);
        view.close();
        assertTrue(view.storage.isReleased());
    }

    @Test
    void leafGradientsSurviveTheStepScope() {
        Tensor w = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        try (Scope step = Scope.open()) {
            w.mul(w).sum().backward();
            assertTrue(step.ownedCount() > 0);
        }
        assertEquals(6, w.grad().sum().item(), 1e-12);
    }

    @Test
    void nestedScopesHandKeptTensorsToTheirParent() {
        Tensor inner;
        try (Scope outer = Scope.open()) {
            try (Scope in = Scope.open()) {
                inner = in.keep(Tensor.ones(2));
            }
            assertFalse(inner.isClosed());
        }
        assertTrue(inner.isClosed());
    }

    /** Runs full collections until {@code probe} is cleared (the JVM may decline; then the test cannot judge). */
    private static void collect(WeakReference<?> probe) {
        for (int i = 0; i < 20 && probe.get() != null; i++) {
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Assumptions.assumeTrue(probe.get() == null, "the JVM did not collect the probe tensor");
    }

    @Test
    void aCollectedNoGradViewDoesNotKeepItsStorageAlive() {
        Tensor base = Tensor.ones(1000);
        try (Scope s = Scope.open()) {
            // held weakly by the scope and by nobody else: collected while the scope is open, never closed
            WeakReference<Tensor> probe = Autograd.noGrad(() -> new WeakReference<>(base.narrow(0, 0, 10)));
            collect(probe);
        }
        base.close();
        assertTrue(base.storage.isReleased(), "the collected view's reference was dropped when its scope closed, so closing the base frees the storage");
    }

    @Test
    void aLeafGradientIsFreedWhenZeroedAfterBackwardsTemporaryWasCollected() {
        Tensor w = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        try (Scope step = Scope.open()) {
            // the gradient backward computes for w is a temporary held weakly by the scope; w.grad() is an alias of it
            w.mul(2).sum().backward();
            for (int i = 0; i < 3; i++) System.gc();
        }
        Storage gradStorage = w.grad().storage;
        assertEquals(6, w.grad().sum().item(), 1e-12);
        w.zeroGrad();
        assertTrue(gradStorage.isReleased(), "zeroGrad frees the gradient's memory at once, whether or not the garbage collector took the temporary");
    }

    @Test
    void closingATensorItsScopeHoldsWeaklyReleasesOnce() {
        Tensor base = Tensor.ones(8);
        Tensor view;
        try (Scope s = Scope.open()) {
            view = Autograd.noGrad(() -> base.narrow(0, 0, 4));
            view.close();
        }
        assertFalse(base.storage.isReleased(), "the view's one reference was dropped once, by its close, not again by the scope");
        base.close();
        assertTrue(base.storage.isReleased());
    }

    @Test
    void manyStepsInScopesLeaveNothingBehind() {
        Tensor w = Tensor.ones(64, 64).requiresGrad(true);
        int before = -1;
        for (int step = 0; step < 50; step++) {
            try (Scope s = Scope.open()) {
                w.matmul(w).relu().sum().backward();
                if (before < 0) before = s.ownedCount();
                assertEquals(before, s.ownedCount(), "every step makes the same tensors");
            }
            w.zeroGrad();
        }
    }
}

package dpvm.tensor;

import org.junit.jupiter.api.Test;

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

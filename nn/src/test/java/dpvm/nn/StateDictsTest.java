package dpvm.nn;

import dpvm.nn.layers.Linear;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class StateDictsTest {
    @Test
    void dataParallelPrefixRoundTrip() {
        Linear a = new Linear(2, 2, true, new Rng(1)), b = new Linear(2, 2, true, new Rng(2));
        Map<String, Tensor> wrapped = StateDicts.addPrefix(a.stateDict(), "module.");
        assertEquals(List.of("module.weight", "module.bias"), List.copyOf(wrapped.keySet()));
        assertFalse(b.loadStateDict(wrapped, false).isClean());
        assertTrue(b.loadStateDict(StateDicts.stripPrefix(wrapped, "module."), true).isClean());
        assertArrayEquals(a.weight().toFloatArray(), b.weight().toFloatArray());
        assertEquals(List.of("module.bias"), List.copyOf(StateDicts.filter(wrapped, k -> k.endsWith("bias")).keySet()));
    }
}

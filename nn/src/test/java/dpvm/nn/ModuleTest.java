package dpvm.nn;

import dpvm.nn.layers.Activation;
import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Conv2d;
import dpvm.nn.layers.Linear;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ModuleTest {
    /** A two-level net shaped like a ResNet stem plus one block, to exercise dotted names. */
    static final class Block extends Module {
        Block(Rng rng) {
            registerModule("conv1", new Conv2d(2, 3, 3, 1, 1, false, rng));
            registerModule("bn1", BatchNorm.of2d(3));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("bn1").forward(child("conv1").forward(x)).relu();
        }
    }

    static final class Net extends Module {
        Net(Rng rng) {
            registerModule("layer1", new Sequential(new Block(rng), new Block2(rng)));
            registerModule("fc", new Linear(3, 4, true, rng));
        }
    }

    static final class Block2 extends Module {
        Block2(Rng rng) {
            registerModule("conv1", new Conv2d(3, 3, 1, 1, 0, true, rng));
            registerModule("act", Activation.relu());
        }
    }

    @Test
    void hierarchicalNamesFollowPytorchOrder() {
        Net net = new Net(new Rng(1));
        assertEquals(List.of("layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias", "layer1.0.bn1.running_mean", "layer1.0.bn1.running_var",
                "layer1.0.bn1.num_batches_tracked", "layer1.1.conv1.weight", "layer1.1.conv1.bias", "fc.weight", "fc.bias"), List.copyOf(net.stateDict().keySet()));
        assertEquals(List.of("layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias", "layer1.1.conv1.weight", "layer1.1.conv1.bias", "fc.weight", "fc.bias"),
                List.copyOf(net.namedParameters().keySet()));
        assertEquals(2 * 3 * 9 + 3 + 3 + 9 + 3 + 12 + 4, net.parameterCount());
        for (Tensor p : net.parameters()) {
            assertTrue(p.requiresGrad());
            assertTrue(p.isLeaf());
            assertTrue(p.isContiguous());
        }
        assertSame(net.submodule("layer1.0.bn1"), ((Sequential) net.child("layer1")).get(0).child("bn1"));
        assertEquals(List.of("", "layer1", "layer1.0", "layer1.0.conv1", "layer1.0.bn1", "layer1.1", "layer1.1.conv1", "layer1.1.act", "fc"), List.copyOf(net.namedModules().keySet()));
    }

    @Test
    void castParametersAndBuffersHoldTheirMemoryAlone() {
        // nothing made on the way (the converted copy, a contiguous copy) keeps a reference: closing the new
        // tensor frees its memory at once, which on a GPU is what keeps device memory deterministic
        Net net = new Net(new Rng(1));
        net.cast(DType.FLOAT64);
        java.util.Map<String, Tensor> all = new java.util.LinkedHashMap<>(net.namedParameters());
        all.putAll(net.namedBuffers());
        for (var e : all.entrySet()) {
            if (!e.getValue().dtype().isFloating()) continue;
            dpvm.tensor.Storage s = e.getValue().storage();
            e.getValue().close();
            assertTrue(s.isReleased(), e.getKey() + " is still referenced after closing it");
        }
    }

    @Test
    void trainEvalPropagatesAndFreezeStopsGradients() {
        Net net = new Net(new Rng(1));
        net.eval();
        for (Module m : net.namedModules().values()) assertFalse(m.isTraining());
        net.train(true);
        for (Module m : net.namedModules().values()) assertTrue(m.isTraining());
    }

    @Test
    void freezeCounts() {
        Net net = new Net(new Rng(1));
        net.child("layer1").freeze();
        assertEquals(16, net.trainableParameterCount());
        assertEquals(2, net.trainableParameters().size());
        net.unfreeze();
        assertEquals(net.parameterCount(), net.trainableParameterCount());
    }

    @Test
    void loadStrictRoundTripCopiesInPlace() {
        Net a = new Net(new Rng(1)), b = new Net(new Rng(2));
        Tensor bWeight = b.stateDict().get("fc.weight");
        LoadReport r = b.loadStateDict(a.stateDict(), true);
        assertTrue(r.isClean());
        assertSame(bWeight, b.stateDict().get("fc.weight"), "loading must write into the existing tensor");
        for (var e : a.stateDict().entrySet()) assertArrayEquals(e.getValue().toDoubleArray(), b.stateDict().get(e.getKey()).toDoubleArray(), e.getKey());
        assertTrue(bWeight.requiresGrad());
    }

    @Test
    void reportsMissingUnexpectedAndShapesAndToleratesBatchCounter() {
        Net net = new Net(new Rng(1));
        Map<String, Tensor> sd = new HashMap<>(new Net(new Rng(3)).stateDict());
        sd.remove("fc.bias");
        sd.remove("layer1.0.bn1.num_batches_tracked");
        sd.put("extra.weight", Tensor.zeros(2));
        sd.put("fc.num_batches_tracked", Tensor.scalar(0, DType.INT64, Device.CPU));
        sd.put("fc.weight", Tensor.zeros(5, 3));
        double[] before = net.stateDict().get("fc.weight").toDoubleArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(sd, true));
        assertTrue(e.getMessage().contains("fc.bias"), e.getMessage());
        LoadReport r = net.loadStateDict(sd, false);
        assertEquals(List.of("fc.bias"), r.missing());
        assertEquals(List.of("extra.weight"), r.unexpected());
        assertEquals(1, r.shapeMismatches().size());
        assertTrue(r.shapeMismatches().get(0).startsWith("fc.weight"));
        assertArrayEquals(before, net.stateDict().get("fc.weight").toDoubleArray());
        assertArrayEquals(sd.get("layer1.1.conv1.weight").toDoubleArray(), net.stateDict().get("layer1.1.conv1.weight").toDoubleArray());
    }

    @Test
    void loadConvertsDtypeAndCastKeepsValues() {
        Net net = new Net(new Rng(1));
        Map<String, Tensor> sd = new HashMap<>();
        new Net(new Rng(5)).stateDict().forEach((k, v) -> sd.put(k, v.dtype().isFloating() ? v.cast(DType.FLOAT64) : v));
        net.loadStateDict(sd, true);
        assertEquals(DType.FLOAT32, net.stateDict().get("fc.weight").dtype());
        net.cast(DType.FLOAT64);
        assertEquals(DType.FLOAT64, net.stateDict().get("fc.weight").dtype());
        assertEquals(DType.INT64, net.stateDict().get("layer1.0.bn1.num_batches_tracked").dtype());
        assertTrue(net.stateDict().get("fc.weight").requiresGrad());
        assertArrayEquals(sd.get("fc.weight").toDoubleArray(), net.stateDict().get("fc.weight").toDoubleArray(), 1e-7);
        net.to(Device.CPU);
    }

    @Test
    void bindParameterLetsGradientsReachTheBoundTensor() {
        Linear lin = new Linear(3, 2, true, new Rng(1));
        Tensor w = Tensor.ones(2, 3).requiresGrad(true);
        lin.bindParameter("weight", w);
        lin.forward(Tensor.of(new float[] {1, 2, 3}, 1, 3)).sum().backward();
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, w.grad().toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> lin.bindParameter("weight", Tensor.ones(3, 3)));
    }
}

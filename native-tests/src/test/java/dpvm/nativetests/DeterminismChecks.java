package dpvm.nativetests;

import dpvm.kernels.CudaDevice;
import dpvm.kernels.CudnnAlgorithms;
import dpvm.kernels.CudnnAlgorithms.Direction;
import dpvm.kernels.Determinism;
import dpvm.kernels.KernelVariants;
import dpvm.tensor.Backend;
import dpvm.tensor.Backend.ConvSpec;
import dpvm.tensor.Backend.PoolSpec;
import dpvm.tensor.Backends;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Functional;
import dpvm.tensor.Rng;
import dpvm.tensor.ShapeException;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Same bits on every run: pooling gradients (always), index_add and scatter_add (when determinism is
 * required) equal the CPU backend's bits, and a whole training step with convolution, batch norm, pooling and an
 * embedding repeats bit for bit under {@link Determinism#require}. On the emulator the checks have teeth: its
 * blocks and threads run in a new shuffled order per launch, so atomics add in a new order, and its cuDNN's
 * nondeterministic algorithms add partial sums in a new order per call. Skipped without a GPU.
 */
class DeterminismChecks extends GpuChecks {
    private boolean before;

    @BeforeEach
    void noDeterminismRequired() {
        before = Determinism.require(false);
    }

    @AfterEach
    void restore() {
        Determinism.require(before);
    }

    private static Tensor uniform(long seed, DType t, int... shape) {
        return new Rng(seed).uniform(shape, DType.FLOAT64, Device.CPU).mul(4).sub(2).cast(t);
    }

    /** Bitwise equality of two tensors of the same dtype, read back to the host. */
    private static void assertSameBits(Tensor want, Tensor got, String what) {
        assertEquals(want.dtype(), got.dtype(), what);
        assertArrayEquals(want.shape(), got.shape(), what);
        switch (want.dtype()) {
            case FLOAT32 -> assertArrayEquals(want.toFloatArray(), got.toFloatArray(), what);
            case FLOAT64 -> assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), what);
            default -> assertArrayEquals(want.cast(DType.INT64).toLongArray(), got.cast(DType.INT64).toLongArray(), what);
        }
    }

    private static PoolSpec pool(int[] k, int[] s, int[] p, int[] d, boolean ceil, boolean includePad) {
        return new PoolSpec(k, s, p, d, ceil, includePad);
    }

    private static int[] r(int v, int n) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void poolingGradientsAreTheCpusBitsOnEveryRun() {
        record Case(String name, int[] x, PoolSpec spec, boolean max, boolean ties) {}
        List<Case> cases = List.of(
                new Case("max 3d k3 s2 p1 (ResNet stem)", new int[] {2, 3, 5, 9, 9}, pool(r(3, 3), r(2, 3), r(1, 3), r(1, 3), false, false), true, false),
                new Case("max 3d k3 s2 p1, many ties", new int[] {2, 3, 5, 9, 9}, pool(r(3, 3), r(2, 3), r(1, 3), r(1, 3), false, false), true, true),
                new Case("max 2d k3 s2 p1 dilation 2, ceil", new int[] {2, 2, 11, 10}, pool(r(3, 2), r(2, 2), r(1, 2), r(2, 2), true, false), true, false),
                new Case("max 1d k4 s1 (windows overlap 3 ways)", new int[] {3, 2, 17}, pool(r(4, 1), r(1, 1), r(0, 1), r(1, 1), false, false), true, false),
                new Case("avg 3d k3 s2 p1, ceil, padding counted", new int[] {2, 2, 5, 7, 6}, pool(r(3, 3), r(2, 3), r(1, 3), r(1, 3), true, true), false, false),
                new Case("avg 2d k3 s1 p1, padding not counted", new int[] {2, 3, 8, 7}, pool(r(3, 2), r(1, 2), r(1, 2), r(1, 2), false, false), false, false));
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (Case c : cases) {
                String what = c.name + " " + t;
                Tensor x = uniform(11, t, c.x);
                if (c.ties) x = x.mul(1.5).cast(DType.INT32).cast(t); // values -2..2: most windows tie
                Backend cpu = Backends.of(Device.CPU), gpu = Backends.of(GPU);
                Tensor xg = x.to(GPU);
                if (c.max) {
                    Tensor[] yc = cpu.maxPool(x, c.spec), yg = gpu.maxPool(xg, c.spec);
                    assertSameBits(yc[0], yg[0], what + " y");
                    assertSameBits(yc[1], yg[1], what + " argmax");
                    Tensor dy = uniform(12, t, yc[0].shape());
                    Tensor want = cpu.maxPoolBackward(dy, yc[1], c.x, c.spec);
                    Tensor dyg = dy.to(GPU);
                    assertSameBits(want, gpu.maxPoolBackward(dyg, yg[1], c.x, c.spec), what + " dx");
                    assertSameBits(want, gpu.maxPoolBackward(dyg, yg[1], c.x, c.spec), what + " dx, second run");
                } else {
                    Tensor yc = cpu.avgPool(x, c.spec);
                    assertSameBits(yc, gpu.avgPool(xg, c.spec), what + " y");
                    Tensor dy = uniform(12, t, yc.shape());
                    Tensor want = cpu.avgPoolBackward(dy, c.x, c.spec);
                    Tensor dyg = dy.to(GPU);
                    assertSameBits(want, gpu.avgPoolBackward(dyg, c.x, c.spec), what + " dx");
                    assertSameBits(want, gpu.avgPoolBackward(dyg, c.x, c.spec), what + " dx, second run");
                }
            }
            // adaptive windows of uneven sizes overlap (7 -> 3 takes rows 0-2, 2-4, 4-6)
            for (int[][] io : new int[][][] {{{2, 3, 7, 5}, {3, 4}}, {{1, 2, 5, 6, 7}, {3, 4, 5}}, {{2, 2, 4, 4}, {1, 1}}}) {
                int[] xs = io[0], out = io[1];
                String what = "adaptive " + Arrays.toString(xs) + " -> " + Arrays.toString(out) + " " + t;
                Tensor x = uniform(13, t, xs), dy = uniform(14, t, Functional.adaptiveAvgPool(x, out).shape());
                Backend cpu = Backends.of(Device.CPU), gpu = Backends.of(GPU);
                assertSameBits(cpu.adaptiveAvgPool(x, out), gpu.adaptiveAvgPool(x.to(GPU), out), what + " y");
                Tensor want = cpu.adaptiveAvgPoolBackward(dy, xs);
                assertSameBits(want, gpu.adaptiveAvgPoolBackward(dy.to(GPU), xs), what + " dx");
                assertSameBits(want, gpu.adaptiveAvgPoolBackward(dy.to(GPU), xs), what + " dx, second run");
            }
        }
    }

    @Test
    void requiredDeterminismGivesIndexAddTheCpusBits() {
        Backend cpu = Backends.of(Device.CPU), gpu = Backends.of(GPU);
        int outer = 2, d = 17, n = 3000, inner = 5;
        long[] idx = new long[n];
        for (int j = 0; j < n; j++) idx[j] = (j * 7L + j / 13) % d; // every row many times, out of order
        for (DType it : new DType[] {DType.INT64, DType.INT32}) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                String what = "index_add " + t + " " + it + " indices";
                Tensor index = Tensor.ofLongs(idx, n).cast(it), src = uniform(21, t, outer, n, inner);
                int[] shape = {outer, d, inner};
                Tensor want = cpu.indexAdd(shape, 1, index, src);
                Determinism.require(true);
                Tensor ig = index.to(GPU), sg = src.to(GPU);
                assertSameBits(want, gpu.indexAdd(shape, 1, ig, sg), what);
                assertEquals("sorted", KernelVariants.INDEX_ADD.lastAutomatic());
                assertSameBits(want, gpu.indexAdd(shape, 1, ig, sg), what + ", second run");
                Determinism.require(false);
                Tensor atomic = gpu.indexAdd(shape, 1, ig, sg);
                assertEquals("atomic", KernelVariants.INDEX_ADD.lastAutomatic());
                assertTrue(Arrays.equals(want.shape(), atomic.shape()), what);
            }
        }
        // rows no index names are zero; an embedding-shaped gradient (dim 0, wide rows)
        Tensor index = Tensor.ofLongs(new long[] {4, 0, 4, 4, 9, 0}, 6), src = uniform(22, DType.FLOAT32, 6, 300);
        Tensor want = cpu.indexAdd(new int[] {12, 300}, 0, index, src);
        Determinism.require(true);
        assertSameBits(want, gpu.indexAdd(new int[] {12, 300}, 0, index.to(GPU), src.to(GPU)), "embedding-shaped index_add");
        // few indices: none, one, and short runs the merge passes leave unpaired
        for (long[] few : new long[][] {{}, {2}, {3, 3}, {1, 0, 1, 2, 1}}) {
            Tensor fi = Tensor.ofLongs(few, few.length), fs = uniform(24, DType.FLOAT32, few.length, 3);
            assertSameBits(cpu.indexAdd(new int[] {4, 3}, 0, fi, fs), gpu.indexAdd(new int[] {4, 3}, 0, fi.to(GPU), fs.to(GPU)), "index_add of " + Arrays.toString(few));
        }
        // a bad index is reported as by the atomic kernel
        Tensor bad = Tensor.ofLongs(new long[] {1, 12, 2}, 3).to(GPU);
        ShapeException e = assertThrows(ShapeException.class, () -> gpu.indexAdd(new int[] {12, 3}, 0, bad, uniform(23, DType.FLOAT32, 3, 3).to(GPU)).toFloatArray());
        assertTrue(e.getMessage().contains("12"), e.getMessage());
    }

    @Test
    void requiredDeterminismGivesScatterAddTheCpusBits() {
        Backend cpu = Backends.of(Device.CPU), gpu = Backends.of(GPU);
        Rng rng = new Rng(31);
        record Case(int[] index, int[] out, int dim) {}
        // the index may be smaller than the output on the other dims; those outputs stay zero
        for (Case c : List.of(new Case(new int[] {6, 40}, new int[] {6, 7}, 1), new Case(new int[] {50, 3, 2}, new int[] {5, 4, 2}, 0),
                new Case(new int[] {3, 9, 4}, new int[] {4, 3, 5}, 1))) {
            int count = Arrays.stream(c.index).reduce(1, (a, b) -> a * b);
            long[] idx = new long[count];
            Tensor draw = rng.uniform(new int[] {count}, DType.FLOAT64, Device.CPU);
            double[] u = draw.toDoubleArray();
            for (int i = 0; i < count; i++) idx[i] = (long) (u[i] * c.out[c.dim]);
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                String what = "scatter_add " + Arrays.toString(c.index) + " into " + Arrays.toString(c.out) + " dim " + c.dim + " " + t;
                Tensor index = Tensor.ofLongs(idx, c.index), src = uniform(32, t, c.index);
                Tensor want = cpu.scatterAdd(c.out, c.dim, index, src);
                Determinism.require(true);
                assertSameBits(want, gpu.scatterAdd(c.out, c.dim, index.to(GPU), src.to(GPU)), what);
                assertEquals("gather", KernelVariants.SCATTER_ADD.lastAutomatic());
                assertSameBits(want, gpu.scatterAdd(c.out, c.dim, index.to(GPU), src.to(GPU)), what + ", second run");
                Determinism.require(false);
            }
        }
        Determinism.require(true);
        Tensor bad = Tensor.ofLongs(new long[] {0, 1, -1, 2}, 2, 2).to(GPU);
        ShapeException e = assertThrows(ShapeException.class, () -> gpu.scatterAdd(new int[] {2, 3}, 1, bad, uniform(33, DType.FLOAT32, 2, 2).to(GPU)).toFloatArray());
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        // into an empty dim every index is out of range: still reported
        Tensor any = Tensor.ofLongs(new long[] {0, 0}, 2, 1).to(GPU);
        assertThrows(ShapeException.class, () -> {
            gpu.scatterAdd(new int[] {2, 0}, 1, any, uniform(34, DType.FLOAT32, 2, 1).to(GPU));
            CudaDevice.get(0).synchronize();
        });
    }

    @Test
    void requiredDeterminismTakesOnlyDeterministicConvolutionAlgorithms() {
        // grouped filters: the emulator's heuristics rank a nondeterministic backward-filter algorithm first
        int[] xs = {6, 4, 9, 9}, ws = {4, 2, 3, 3};
        ConvSpec spec = new ConvSpec(r(1, 2), r(1, 2), r(1, 2), 2);
        Tensor x = uniform(41, DType.FLOAT32, xs).to(GPU), gy = uniform(42, DType.FLOAT32, 6, 4, 9, 9).to(GPU), w = uniform(43, DType.FLOAT32, ws).to(GPU);
        Backend gpu = Backends.of(GPU);
        Supplier<List<Tensor>> grads = () -> List.of(gpu.convBackwardWeight(x, gy, ws, spec), gpu.convBackwardData(gy, w, xs, spec));
        if (emulator()) {
            grads.get();
            String free = CudnnAlgorithms.chosen(0, Direction.BACKWARD_FILTER, xs, ws, spec, DType.FLOAT32);
            assertTrue(free.startsWith("ALGO_0"), "the emulator's heuristics rank ALGO_0 first for grouped filters: " + free);
            assertFalse(sameBits(grads.get().get(0), grads.get().get(0)), "ALGO_0 adds its partial sums in a new order per call on the emulator");
        }
        Determinism.require(true);
        List<Tensor> first = grads.get(), second = grads.get();
        String filter = CudnnAlgorithms.chosen(0, Direction.BACKWARD_FILTER, xs, ws, spec, DType.FLOAT32);
        String data = CudnnAlgorithms.chosen(0, Direction.BACKWARD_DATA, xs, ws, spec, DType.FLOAT32);
        System.out.println("DETERMINISM " + GPU + ": grouped conv2d backward filter " + filter + ", backward data " + data);
        assertFalse(filter.startsWith("ALGO_0") || filter.startsWith("ALGO_3"), "cuDNN documents backward-filter ALGO_0 and ALGO_3 as nondeterministic: " + filter);
        assertFalse(data.startsWith("ALGO_0"), "cuDNN documents backward-data ALGO_0 as nondeterministic: " + data);
        assertSameBits(first.get(0), second.get(0), "filter gradient");
        assertSameBits(first.get(1), second.get(1), "input gradient");
    }

    private static boolean sameBits(Tensor a, Tensor b) {
        return Arrays.equals(a.toFloatArray(), b.toFloatArray());
    }

    /**
     * One training step's loss and gradients: a grouped 3-d convolution, batch norm, ReLU, overlapping max
     * pooling, adaptive average pooling, an embedding with repeated tokens, a linear layer and cross-entropy.
     */
    private static List<Tensor> trainingStep() {
        Tensor x = uniform(51, DType.FLOAT32, 4, 4, 6, 9, 9).to(GPU).requiresGrad(true);
        Tensor w = uniform(52, DType.FLOAT32, 8, 2, 3, 3, 3).mul(0.2).to(GPU).requiresGrad(true);
        Tensor bnW = uniform(53, DType.FLOAT32, 8).to(GPU).requiresGrad(true), bnB = uniform(54, DType.FLOAT32, 8).to(GPU).requiresGrad(true);
        Tensor emb = uniform(55, DType.FLOAT32, 10, 32).to(GPU).requiresGrad(true);
        Tensor fcW = uniform(56, DType.FLOAT32, 5, 32).to(GPU).requiresGrad(true), fcB = uniform(57, DType.FLOAT32, 5).to(GPU).requiresGrad(true);
        Tensor runMean = Tensor.zeros(new int[] {8}, DType.FLOAT32, GPU), runVar = Tensor.ones(8).to(GPU);
        Tensor tokens = Tensor.ofLongs(new long[] {3, 7, 3, 3}, 4).to(GPU), targets = Tensor.ofLongs(new long[] {1, 4, 0, 1}, 4).to(GPU);
        Tensor h = Functional.conv3d(x, w, null, r(1, 3), r(1, 3), r(1, 3), 2);
        h = Functional.relu(Functional.batchNorm(h, runMean, runVar, bnW, bnB, true, 0.1, 1e-5));
        h = Functional.adaptiveAvgPool(Functional.maxPool3d(h, 3, 2, 1), 1, 2, 2).reshape(4, 32); // overlapping 5 -> 2 windows
        h = h.add(Functional.embedding(emb, tokens));
        Tensor loss = Functional.crossEntropy(Functional.linear(h, fcW, fcB), targets, null, 0.0);
        loss.backward();
        List<Tensor> out = new ArrayList<>(List.of(loss, runMean, runVar));
        for (Tensor p : new Tensor[] {x, w, bnW, bnB, emb, fcW, fcB}) out.add(p.grad());
        return out;
    }

    @Test
    void aTrainingStepRepeatsBitForBitWhenDeterminismIsRequired() {
        String[] names = {"loss", "running mean", "running var", "dx", "dconv", "dbn weight", "dbn bias", "dembedding", "dfc weight", "dfc bias"};
        if (emulator()) {
            List<Tensor> a = trainingStep(), b = trainingStep();
            boolean allSame = true;
            for (int i = 0; i < a.size(); i++) allSame &= sameBits(a.get(i), b.get(i));
            assertFalse(allSame, "without required determinism the emulated step differs between runs (the check has teeth)");
        }
        Determinism.require(true);
        List<Tensor> a = trainingStep(), b = trainingStep();
        for (int i = 0; i < a.size(); i++) assertSameBits(a.get(i), b.get(i), names[i]);
    }
}

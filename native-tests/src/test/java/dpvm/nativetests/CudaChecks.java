package dpvm.nativetests;

import dpvm.kernels.CudaDevice;
import dpvm.kernels.CudaGraph;
import dpvm.kernels.CudaLibraries;
import dpvm.kernels.MathMode;
import dpvm.kernels.memory.MemoryStats;
import dpvm.kernels.profile.Nvtx;
import dpvm.tensor.Backend;
import dpvm.tensor.Backends;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Functional;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import dpvm.tensor.check.Tolerance;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPU-only checks the op tests cannot express: bit-exact Philox, Adam and dropout, graph capture and replay,
 * allocator statistics, poisoning, transposed matmul operands and TF32, and the profiler.
 * Skipped without a GPU; {@link ParitySuite} runs them with the op tests.
 */
class CudaChecks extends GpuChecks {

    private static Tensor random(int[] shape, long seed, Device d) {
        return new Rng(seed).uniform(shape, DType.FLOAT32, Device.CPU).mul(4).sub(2).to(d);
    }

    @Test
    void philoxFillsMatchTheCpuBitForBit() {
        for (Backend.Distribution dist : Backend.Distribution.values()) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor g = Tensor.empty(new int[] {1001}, t, GPU), c = Tensor.empty(new int[] {1001}, t, Device.CPU);
                Backends.of(GPU).fillRandom(g, dist, 0x1234_5678_9abcL, 77);
                Backends.of(Device.CPU).fillRandom(c, dist, 0x1234_5678_9abcL, 77);
                if (t == DType.FLOAT32) assertArrayEquals(c.toFloatArray(), g.toFloatArray(), dist + " " + t);
                else assertTrue(Tolerance.FP64.mismatch(g.toDoubleArray(), c.toDoubleArray()) == null, dist + " " + t);
            }
        }
    }

    @Test
    void adamMatchesTheCpuBitForBit() {
        int[] shape = {257, 3};
        for (boolean decoupled : new boolean[] {false, true}) {
            Tensor[] gpu = {random(shape, 1, GPU), random(shape, 2, GPU), Tensor.zeros(shape, DType.FLOAT32, GPU), Tensor.zeros(shape, DType.FLOAT32, GPU)};
            Tensor[] cpu = {random(shape, 1, Device.CPU), random(shape, 2, Device.CPU), Tensor.zeros(shape, DType.FLOAT32, Device.CPU), Tensor.zeros(shape, DType.FLOAT32, Device.CPU)};
            for (long step = 1; step <= 3; step++) {
                Backend.AdamStep h = new Backend.AdamStep(1e-2, 0.9, 0.999, 1e-8, 0.01, decoupled, step);
                Backends.of(GPU).adamStep(gpu[0], gpu[1], gpu[2], gpu[3], h);
                Backends.of(Device.CPU).adamStep(cpu[0], cpu[1], cpu[2], cpu[3], h);
            }
            for (int i : new int[] {0, 2, 3}) assertArrayEquals(cpu[i].toFloatArray(), gpu[i].toFloatArray(), "tensor " + i + " decoupled=" + decoupled);
        }
    }

    @Test
    void fusedDropoutMatchesTheCpuBitForBit() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = random(new int[] {37, 129}, 16, Device.CPU).cast(t);
            Tensor g = x.to(GPU);
            Tensor[][] pairs = {{x, g}, {x.transpose(0, 1), g.transpose(0, 1)}, {x.slice(1, 1, 129, 3), g.slice(1, 1, 129, 3)}};
            for (Tensor[] p : pairs) {
                Tensor cpu = Functional.dropout(p[0], 0.3, true, new Rng(5)), gpu = Functional.dropout(p[1], 0.3, true, new Rng(5));
                if (t == DType.FLOAT32) assertArrayEquals(cpu.toFloatArray(), gpu.toFloatArray(), t + " strides " + java.util.Arrays.toString(p[1].strides()));
                else assertArrayEquals(cpu.toDoubleArray(), gpu.toDoubleArray(), t + " strides " + java.util.Arrays.toString(p[1].strides()));
            }
        }
    }

    @Test
    void graphReplayRepeatsTheCapturedStepOnNewInputs() {
        Tensor x = random(new int[] {1000}, 3, GPU), y = Tensor.empty(new int[] {1000}, DType.FLOAT32, GPU);
        Runnable step = () -> {
            try (Tensor t = x.mul(2).add(1)) {
                Backends.of(GPU).copyInto(y, t);
            }
        };
        step.run();
        try (CudaGraph g = CudaGraph.capture(GPU, step)) {
            float[] fresh = random(new int[] {1000}, 4, Device.CPU).toFloatArray();
            Backends.of(GPU).upload(x.storage(), x.offset(), fresh);
            g.replay();
            float[] out = y.toFloatArray();
            for (int i = 0; i < out.length; i++) assertEquals(fresh[i] * 2 + 1, out[i], 1e-6, "element " + i);
        }
    }

    /** Forward, backward and an Adam update of a small regression, on the GPU tensors given. */
    private static Runnable trainingStep(Tensor x, Tensor y, Tensor w, Tensor m, Tensor v) {
        Backend.AdamStep h = new Backend.AdamStep(1e-2, 0.9, 0.999, 1e-8, 0, false, 1);
        return () -> {
            w.zeroGrad();
            try (dpvm.tensor.Scope s = dpvm.tensor.Scope.open()) {
                x.matmul(w).sub(y).pow(2).mean().backward();
                Backends.of(GPU).adamStep(w, w.grad(), m, v, h);
            }
        };
    }

    @Test
    void trainingStepCapturedAsAGraphMatchesEagerSteps() {
        Tensor x = random(new int[] {64, 32}, 12, GPU), y = random(new int[] {64, 8}, 13, GPU);
        Tensor[] eager = {random(new int[] {32, 8}, 14, GPU).requiresGrad(true), Tensor.zeros(new int[] {32, 8}, DType.FLOAT32, GPU), Tensor.zeros(new int[] {32, 8}, DType.FLOAT32, GPU)};
        Tensor[] graph = {random(new int[] {32, 8}, 14, GPU).requiresGrad(true), Tensor.zeros(new int[] {32, 8}, DType.FLOAT32, GPU), Tensor.zeros(new int[] {32, 8}, DType.FLOAT32, GPU)};
        Runnable e = trainingStep(x, y, eager[0], eager[1], eager[2]);
        for (int i = 0; i < 4; i++) e.run();
        Runnable g = trainingStep(x, y, graph[0], graph[1], graph[2]);
        g.run(); // warm-up step, counted as the first
        try (CudaGraph cg = CudaGraph.capture(GPU, g)) {
            for (int i = 0; i < 3; i++) cg.replay();
            for (int k = 0; k < 3; k++) {
                String m = Tolerance.FP32.mismatch(graph[k].toDoubleArray(), eager[k].toDoubleArray());
                assertNull(m, "tensor " + k + " after 4 steps, 3 of them replayed: " + m);
            }
        }
    }

    @Test
    void allocatorCountsAndReturnsMemory() {
        // other tests' tensors may be freed by the Cleaner at any moment, so only bounds that such frees cannot
        // break are asserted: frees move bytes from allocated to cached, never the other way
        CudaDevice d = CudaDevice.get(0);
        Tensor t = Tensor.zeros(new int[] {64, 1024, 1024}, DType.FLOAT32, GPU);
        MemoryStats during = d.memoryStats();
        assertTrue(during.allocated() >= 256L << 20 && during.peakAllocated() >= during.allocated(), during.toString());
        t.close();
        MemoryStats after = d.memoryStats();
        assertTrue(after.reserved() - after.allocated() >= 256L << 20, "the closed tensor's block stays cached: " + after);
        d.emptyCache();
        MemoryStats empty = d.memoryStats();
        assertTrue(empty.reserved() - empty.allocated() < 256L << 20, "emptyCache returns cached blocks: " + empty);
    }

    @Test
    void poisonedFreshOutputsAreNaN() {
        Assumptions.assumeTrue(Boolean.getBoolean("dpvm.cuda.poison"), "run with -Ddpvm.cuda.poison=true");
        float[] v = Tensor.empty(new int[] {33}, DType.FLOAT32, GPU).toFloatArray();
        for (float f : v) assertTrue(Float.isNaN(f));
    }

    @Test
    void matmulWithTransposedAndBroadcastOperands() {
        Tensor a = random(new int[] {4, 37, 19}, 6, Device.CPU), b = random(new int[] {23, 19}, 7, Device.CPU);
        Tensor ref = a.matmul(b.mT());
        Tensor got = a.to(GPU).matmul(b.to(GPU).mT());
        assertNull(Tolerance.FP32.mismatch(got.toDoubleArray(), ref.toDoubleArray()));
        Tensor at = a.transpose(1, 2).contiguous().transpose(1, 2);
        assertNull(Tolerance.FP32.mismatch(at.to(GPU).matmul(b.to(GPU).mT()).toDoubleArray(), ref.toDoubleArray()));
    }

    @Test
    void tf32MatmulMeetsTheTf32Tolerance() {
        Tensor a = random(new int[] {256, 512}, 8, Device.CPU), b = random(new int[] {512, 128}, 9, Device.CPU);
        double[] ref = a.cast(DType.FLOAT64).matmul(b.cast(DType.FLOAT64)).toDoubleArray();
        MathMode.set(MathMode.TF32);
        try {
            double[] got = a.to(GPU).matmul(b.to(GPU)).toDoubleArray();
            double rel = Tolerance.relativeL2(got, ref);
            assertTrue(rel < Tolerance.TF32.normWiseBound(), "relative error " + rel);
        } finally {
            MathMode.set(MathMode.FP32);
        }
    }

    @Test
    void largeReductionsAndSoftmaxAgreeWithTheCpu() {
        Tensor x = random(new int[] {64, 4099}, 10, Device.CPU);
        assertNull(new Tolerance("sum", 1e-5, 1e-3).mismatch(x.to(GPU).sum(1, false).toDoubleArray(), x.sum(1, false).toDoubleArray()));
        assertNull(Tolerance.FP32.mismatch(x.to(GPU).sum(0, false).toDoubleArray(), x.sum(0, false).toDoubleArray()));
        assertNull(Tolerance.FP32.mismatch(x.to(GPU).softmax(1).toDoubleArray(), x.softmax(1).toDoubleArray()));
        assertArrayEquals(x.argmax(1, false).toLongArray(), x.to(GPU).argmax(1, false).toLongArray());
    }

    /**
     * Every reduce kernel that takes the operands gives the CPU's result for sum, max and min in every dtype,
     * including outputs cut into several chunks (batch-norm statistics, a few long rows, a whole tensor, a few
     * columns over many rows) and column tiles with a ragged last tile, and split results repeat to the bit.
     */
    @Test
    void reduceVariantsAgreeWithTheCpu() {
        int[][] shapes = {{4, 3, 50, 50}, {3, 70_000}, {20_000}, {9_000, 3}, {300, 700}, {5, 7, 11}, {2, 6, 5}, {3, 2_000, 33}};
        int[][] dims = {{0, 2, 3}, {1}, {0}, {0}, {0}, {0, 2}, {1}, {1}};
        // cols takes one run of reduced dims; split needs the kept dims in one run
        java.util.Set<Integer> colsRefuses = java.util.Set.of(0, 5), splitRefuses = java.util.Set.of(6, 7);
        for (int i = 0; i < shapes.length; i++) {
            for (DType t : DType.values()) {
                Tensor floats = random(shapes[i], 40 + i, Device.CPU);
                Tensor x = t.isFloating() ? floats.cast(t) : floats.mul(500).cast(t);
                Tensor xg = x.to(GPU);
                Tolerance tol = t == DType.FLOAT64 ? Tolerance.FP64 : Tolerance.FP32;
                for (Backend.Reduce op : Backend.Reduce.values()) {
                    double[] expected = dpvm.tensor.Ops.reduce(op, x, dims[i], false).toDoubleArray();
                    String what = op + " over " + java.util.Arrays.toString(dims[i]) + " of " + dpvm.tensor.Shape.str(shapes[i]) + " " + t;
                    for (String v : dpvm.kernels.KernelVariants.REDUCE.variants()) {
                        try (dpvm.kernels.KernelVariants.Forcing f = dpvm.kernels.KernelVariants.REDUCE.force(v)) {
                            double[] got = dpvm.tensor.Ops.reduce(op, xg, dims[i], false).toDoubleArray();
                            assertNull(tol.mismatch(got, expected), v + ": " + what);
                            if (!v.equals("rows")) assertArrayEquals(got, dpvm.tensor.Ops.reduce(op, xg, dims[i], false).toDoubleArray(), v + " repeats: " + what);
                        } catch (dpvm.kernels.VariantNotApplicableException e) {
                            boolean refusable = v.equals("cols") ? colsRefuses.contains(i) : v.equals("split") && splitRefuses.contains(i);
                            assertTrue(refusable, v + " refused " + what + ": " + e.getMessage());
                        }
                    }
                }
            }
        }
        Functional.sum(random(new int[] {4, 3, 50, 50}, 1, GPU), new int[] {0, 2, 3}, false);
        assertEquals("split", dpvm.kernels.KernelVariants.REDUCE.lastAutomatic(), "batch-norm statistics are read in place");
        random(new int[] {300, 20}, 2, GPU).sum();
        assertEquals("split", dpvm.kernels.KernelVariants.REDUCE.lastAutomatic(), "a whole-tensor sum is cut among blocks, not one column");
        random(new int[] {300, 40}, 3, GPU).sum(0, false);
        assertEquals("cols", dpvm.kernels.KernelVariants.REDUCE.lastAutomatic(), "40 column sums take whole warps");
        random(new int[] {4, 30, 64}, 4, GPU).sum(1, false);
        assertEquals("cols", dpvm.kernels.KernelVariants.REDUCE.lastAutomatic(), "a sum over time of [N, T, D] is read in place");
    }

    /** cuDNN's batch norm, the lab's comparison variant, gives what batchnorm.cu gives, forward and backward. */
    @Test
    void batchNormVariantsAgree() {
        Backend be = Backends.of(GPU);
        int[][] shapes = {{6, 3}, {4, 5, 7}, {3, 4, 5, 6}, {2, 3, 4, 5, 3}};
        for (int[] shape : shapes) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tolerance tol = t == DType.FLOAT64 ? Tolerance.FP64 : Tolerance.FP32;
                int[] channel = {shape[1]};
                Tensor x = random(shape, 50, GPU).mul(3).add(1).cast(t), g = random(shape, 53, GPU).cast(t);
                Tensor w = random(channel, 51, GPU).cast(t), b = random(channel, 52, GPU).cast(t);
                for (boolean affine : new boolean[] {true, false}) {
                    Tensor wa = affine ? w : null, ba = affine ? b : null;
                    String what = dpvm.tensor.Shape.str(shape) + " " + t + (affine ? " with weight and bias" : "");
                    Tensor[][] fwd = new Tensor[2][], bwd = new Tensor[2][];
                    String[] variants = {"split", "cudnn"};
                    for (int v = 0; v < 2; v++) {
                        try (dpvm.kernels.KernelVariants.Forcing f = dpvm.kernels.KernelVariants.BATCH_NORM.force(variants[v]);
                             dpvm.kernels.KernelVariants.Forcing fb = dpvm.kernels.KernelVariants.BATCH_NORM_BACKWARD.force(variants[v])) {
                            fwd[v] = be.batchNorm(x, wa, ba, 1e-5);
                            bwd[v] = be.batchNormBackward(g, x, fwd[0][1], fwd[0][2], wa, true, affine);
                        }
                    }
                    String[] names = {"y", "mean", "rstd", "var"};
                    for (int k = 0; k < 4; k++) assertNull(tol.mismatch(fwd[1][k].toDoubleArray(), fwd[0][k].toDoubleArray()), names[k] + " of " + what);
                    assertNull(tol.mismatch(bwd[1][0].toDoubleArray(), bwd[0][0].toDoubleArray()), "dx of " + what);
                    assertNull(tol.mismatch(bwd[1][1].toDoubleArray(), bwd[0][1].toDoubleArray()), "dweight of " + what);
                    assertEquals(affine, bwd[1][2] != null, "dbias only when asked for: " + what);
                    if (affine) assertNull(tol.mismatch(bwd[1][2].toDoubleArray(), bwd[0][2].toDoubleArray()), "dbias of " + what);
                }
            }
        }
        assertThrows(dpvm.kernels.VariantNotApplicableException.class, () -> {
            try (dpvm.kernels.KernelVariants.Forcing ignored = dpvm.kernels.KernelVariants.BATCH_NORM.force("cudnn")) {
                be.batchNorm(random(new int[] {4, 3}, 1, GPU), null, null, -1e-3);  // below cuDNN's minimum epsilon
            }
        });
    }

    /**
     * With -Ddpvm.cudnn.benchmark=true each direction takes the algorithm cuDNN's measured search ranks fastest
     * (on the emulator, whose stand-in time is the workspace, one the heuristics rank second), results still agree
     * with the CPU, and plans made by the heuristics are kept apart.
     */
    @Test
    void autotunedConvolutionsTakeTheFastestMeasuredAlgorithm() {
        int[] xs = {2, 3, 11, 13}, ws = {5, 3, 3, 3}, ys = {2, 5, 11, 13};
        Backend.ConvSpec spec = new Backend.ConvSpec(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
        Tensor x = random(xs, 40, Device.CPU), w = random(ws, 41, Device.CPU), gy = random(ys, 42, Device.CPU);
        Backend cpu = Backends.of(Device.CPU), gpu = Backends.of(GPU);
        Tensor gx = x.to(GPU), gw = w.to(GPU), ggy = gy.to(GPU);
        double[][] want = {cpu.conv(x, w, spec).toDoubleArray(), cpu.convBackwardData(gy, w, xs, spec).toDoubleArray(),
                cpu.convBackwardWeight(x, gy, ws, spec).toDoubleArray()};
        java.util.function.Supplier<double[][]> run = () -> new double[][] {gpu.conv(gx, gw, spec).toDoubleArray(),
                gpu.convBackwardData(ggy, gw, xs, spec).toDoubleArray(), gpu.convBackwardWeight(gx, ggy, ws, spec).toDoubleArray()};
        var directions = dpvm.kernels.CudnnAlgorithms.Direction.values();
        System.setProperty("dpvm.cudnn.benchmark", "true");
        String[] measured = new String[3];
        try {
            double[][] got = run.get();
            for (int i = 0; i < 3; i++) {
                double e = Tolerance.relativeL2(got[i], want[i]);
                assertTrue(e <= Tolerance.FP32.normWiseBound(), directions[i] + " autotuned: relative L2 error " + e);
                measured[i] = dpvm.kernels.CudnnAlgorithms.chosen(0, directions[i], xs, ws, spec, DType.FLOAT32);
                assertTrue(measured[i] != null, directions[i] + " has a measured choice");
            }
        } finally {
            System.clearProperty("dpvm.cudnn.benchmark");
        }
        run.get();
        String heuristic = dpvm.kernels.CudnnAlgorithms.chosen(0, directions[0], xs, ws, spec, DType.FLOAT32);
        if (emulator()) {
            assertTrue(measured[0].startsWith("IMPLICIT_GEMM "), "measured forward: " + measured[0]);
            assertTrue(measured[1].startsWith("ALGO_0 ") && measured[2].startsWith("ALGO_0 "), "measured backward: " + measured[1] + ", " + measured[2]);
            assertTrue(heuristic.startsWith("IMPLICIT_PRECOMP_GEMM "), "the heuristics' forward choice, planned apart: " + heuristic);
        }
    }

    /**
     * A kernel that fails while it runs (here: threads stuck at different barriers, which only the emulator can
     * detect, so emulated lazy streams only) is reported at the next wait, pointing to -Ddpvm.cuda.syncEachOp, which
     * makes the op that queued it throw instead, named.
     */
    @Test
    void aKernelThatFailsIsReportedAtTheNextWaitOrByItsOpWithSyncEachOp() {
        CudaDevice d = CudaDevice.get(0);
        Assumptions.assumeTrue(lazyStreams(), "needs the emulator's lazy streams");
        var stuck = d.kernels().generated("test_stuck_barrier", () -> """
                extern "C" __global__ void stuck(int* out) {
                    if (threadIdx.x == 0) __syncthreads(); else __syncwarp();
                    out[threadIdx.x] = 1;
                }
                """, "stuck");
        Tensor out = Tensor.zeros(new int[] {32}, DType.INT32, GPU);
        long address = ((dpvm.kernels.CudaStorage) out.storage()).address();
        d.synchronize();
        dpvm.kernels.runtime.Launcher.launch(stuck, d.rawStream(), 1, 32, 0, address); // queued: nothing has failed yet
        dpvm.kernels.CudaException late = assertThrows(dpvm.kernels.CudaException.class, d::synchronize);
        for (String part : new String[] {"cudaStreamSynchronize", "cudaErrorLaunchFailure", "stuck", "barrier divergence", "syncEachOp"})
            assertTrue(late.getMessage().contains(part), part + " in: " + late.getMessage());

        System.setProperty("dpvm.cuda.syncEachOp", "true");
        try {
            dpvm.kernels.runtime.Launcher.launch(stuck, d.rawStream(), 1, 32, 0, address);
            dpvm.kernels.CudaException named = assertThrows(dpvm.kernels.CudaException.class, () -> out.add(1));
            assertTrue(named.getMessage().startsWith("op "), named.getMessage());
            assertTrue(named.getMessage().contains("barrier divergence"), named.getMessage());
        } finally {
            System.clearProperty("dpvm.cuda.syncEachOp");
        }
        assertEquals(6.0, Tensor.of(new double[] {1, 2, 3}, 3).to(GPU).sum().item(), 0.0, "the device works on");
    }

    /**
     * The emulator keeps a redzone on each side of every allocation: a kernel that writes past the end or before
     * the start of an operand it was given fails, named, at the next wait (a GPU may corrupt a neighbour silently);
     * the last element in bounds is fine.
     */
    @Test
    void aKernelThatWritesOutsideItsOperandIsNamed() {
        CudaDevice d = CudaDevice.get(0);
        Assumptions.assumeTrue(lazyStreams(), "needs the emulator's redzones and lazy streams");
        var past = d.kernels().generated("test_write_at", () -> """
                extern "C" __global__ void write_at(float* out, int at) {
                    if (threadIdx.x == 0) out[at] = 1.0f;
                }
                """, "write_at");
        d.synchronize();
        d.emptyCache(); // a fresh allocation of exactly the size class, so one element past it is its redzone
        Tensor out = Tensor.zeros(new int[] {512}, DType.FLOAT32, GPU);
        long address = ((dpvm.kernels.CudaStorage) out.storage()).address();
        int end = (int) (dpvm.kernels.memory.CachingAllocator.roundUp(512 * 4) / 4);
        dpvm.kernels.runtime.Launcher.launch(past, d.rawStream(), 1, 32, 0, address, end - 1);
        d.synchronize();
        for (int at : new int[] {end, end + 7, -1}) {
            dpvm.kernels.runtime.Launcher.launch(past, d.rawStream(), 1, 32, 0, address, at);
            dpvm.kernels.CudaException e = assertThrows(dpvm.kernels.CudaException.class, d::synchronize, "write at " + at);
            String where = at < 0 ? "up to 4 bytes before its start" : "up to " + 4 * (at - end + 1) + " bytes past its end";
            for (String part : new String[] {"write_at", "out-of-bounds write", where})
                assertTrue(e.getMessage().contains(part), part + " in: " + e.getMessage());
        }
        assertEquals(6.0, Tensor.of(new double[] {1, 2, 3}, 3).to(GPU).sum().item(), 0.0, "the device works on");
    }

    /**
     * NVRTC fuses a * b + c into one multiply-add (its --fmad default), so kernels that promise the CPU's bits write
     * their products and sums as the _rn intrinsics, which are never fused. Both halves hold here: with a = b =
     * 1 + 2^-12 and c = -(1 + 2^-11), the fused result is the exact 2^-24 and the separately rounded one is 0 (the
     * product's 2^-24 is a tie, rounded to even). The emulator fuses too where its host has FMA.
     */
    @Test
    void productsAndSumsAreFusedUnlessWrittenAsRoundedIntrinsics() throws Exception {
        CudaDevice d = CudaDevice.get(0);
        var kernel = d.kernels().generated("test_fma", () -> """
                extern "C" __global__ void fma_or_not(const float* in, float* out) {
                    float a = in[0], b = in[1], c = in[2];
                    out[0] = a * b + c;
                    out[1] = __fadd_rn(__fmul_rn(a, b), c);
                }
                """, "fma_or_not");
        float a = 1 + 0x1p-12f, c = -(1 + 0x1p-11f);
        Tensor in = Tensor.of(new float[] {a, a, c}, 3).to(GPU), out = Tensor.zeros(new int[] {2}, DType.FLOAT32, GPU);
        dpvm.kernels.runtime.Launcher.launch(kernel, d.rawStream(), 1, 32, 0, ((dpvm.kernels.CudaStorage) in.storage()).address(),
                ((dpvm.kernels.CudaStorage) out.storage()).address());
        float[] got = out.toFloatArray();
        assertEquals(Math.fma(a, a, c), 0x1p-24f, "the exact value");
        assertEquals(0f, a * a + c, "Java rounds the product first");
        assertEquals(0f, got[1], "__fadd_rn(__fmul_rn(a, b), c) rounds twice");
        boolean fuses = !emulator() || Files.readString(Path.of("/proc/cpuinfo")).matches("(?s).*\\bfma\\b.*");
        if (fuses) assertEquals(0x1p-24f, got[0], "a * b + c is one fused multiply-add");
    }

    /**
     * Shared memory starts every block as garbage on a GPU; the emulator fills it with NaN, so a kernel that reads it
     * before writing it fails the parity suite there, even in a second block after the first wrote the array.
     */
    @Test
    void sharedMemoryReadBeforeItIsWrittenIsNaNOnTheEmulator() {
        Assumptions.assumeTrue(emulator(), "what shared memory holds at a block's start is undefined on a GPU");
        CudaDevice d = CudaDevice.get(0);
        var early = d.kernels().generated("test_shared_early", () -> """
                extern "C" __global__ void read_early(float* out) {
                    __shared__ float s[64];
                    out[blockIdx.x * 64 + threadIdx.x] = s[threadIdx.x];
                    __syncthreads();
                    s[threadIdx.x] = 1.0f;
                }
                """, "read_early");
        Tensor out = Tensor.zeros(new int[] {128}, DType.FLOAT32, GPU);
        dpvm.kernels.runtime.Launcher.launch(early, d.rawStream(), 2, 64, 0, ((dpvm.kernels.CudaStorage) out.storage()).address());
        for (float v : out.toFloatArray()) assertTrue(Float.isNaN(v), "read before written: " + v);
    }

    /** A launch with more threads than a kernel's __launch_bounds__ allows fails at once, as on a GPU; the device works on. */
    @Test
    void launchBeyondAKernelsLaunchBoundsIsRefused() {
        CudaDevice d = CudaDevice.get(0);
        var bounded = d.kernels().function("norm.cu", "layer_norm_fwd_b_f32");  // __launch_bounds__(512)
        RuntimeException e = assertThrows(RuntimeException.class, () -> dpvm.kernels.runtime.Launcher.launch(bounded, d.rawStream(), 1, 1024, 0,
                0L, 0L, 0L, 0L, 0L, 0L, 0, 0, 1e-5));
        assertTrue(e.getMessage().contains("cuLaunchKernel"), e.getMessage());
        if (emulator()) {
            // stricter than a GPU, which refuses only when the registers do not fit: without __launch_bounds__,
            // at most 256 threads, the most that fit whatever the compiler chose (every launch site keeps to it;
            // the emulator prints the reason, the driver API returns only the code)
            var unbounded = d.kernels().function("copy.cu", "fill_f32");
            dpvm.kernels.runtime.Launcher.launch(unbounded, d.rawStream(), 1, 256, 0, 0, 0L, 0.0);
            RuntimeException wide = assertThrows(RuntimeException.class, () -> dpvm.kernels.runtime.Launcher.launch(unbounded, d.rawStream(), 1, 512, 0, 0, 0L, 0.0));
            assertTrue(wide.getMessage().contains("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"), wide.getMessage());
        }
        assertEquals(6.0, Tensor.of(new double[] {1, 2, 3}, 3).to(GPU).sum().item(), 0.0);
    }

    @Test
    void profilerTableNamesTheOps() {
        CudaDevice d = CudaDevice.get(0);
        d.profiler().enable();
        try {
            Tensor a = random(new int[] {64, 64}, 11, GPU);
            a.matmul(a).softmax(1).close();
            String table = d.profiler().table();
            System.out.println(table);
            assertTrue(table.contains("matmul") && table.contains("softmax"), table);
        } finally {
            d.profiler().disable();
        }
    }

    @Test
    void profilerTableNamesTheFusedOps() {
        CudaDevice d = CudaDevice.get(0);
        d.profiler().enable();
        try {
            Tensor a = random(new int[] {64, 10}, 17, GPU).requiresGrad(true);
            long[] labels = new long[64];
            for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
            Functional.crossEntropy(Functional.dropout(a, 0.1, true, new Rng(1)), Tensor.ofLongs(labels, 64).to(GPU), null, 0.1).backward();
            String table = d.profiler().table();
            for (String op : new String[] {"dropout", "cross_entropy", "cross_entropy_backward"}) assertTrue(table.contains(op), op + " missing from\n" + table);
        } finally {
            d.profiler().disable();
        }
    }

    /**
     * Every op is an NVTX range named like its profile row, closed when the op returns. Needs ranges on
     * ({@code -Ddpvm.nvtx=true}) and an NVTX library that can report what it saw: the emulator's records each
     * thread's ranges (emu/nvtx.cpp); under Nsight the same names show in the timeline.
     */
    @Test
    void opsAreNvtxRangesNamedLikeTheirProfileRows() {
        Assumptions.assumeTrue(Nvtx.enabled(), "NVTX ranges are " + Nvtx.status());
        com.sun.jna.NativeLibrary lib = com.sun.jna.NativeLibrary.getInstance(Nvtx.library().toString());
        com.sun.jna.Function events;
        try {
            events = lib.getFunction("emu_nvtx_events");
        } catch (UnsatisfiedLinkError e) {
            Assumptions.abort("the NVTX library cannot report its ranges (only the emulator's can): " + e.getMessage());
            return;
        }
        lib.getFunction("emu_nvtx_clear").invokeVoid(new Object[0]);
        Tensor a = random(new int[] {16, 16}, 19, GPU);
        Functional.silu(a.matmul(a)).close();
        byte[] buf = new byte[1 << 16];
        int n = events.invokeInt(new Object[] {buf, buf.length});
        String log = new String(buf, 0, Math.min(n, buf.length - 1), java.nio.charset.StandardCharsets.UTF_8);
        java.util.List<String> lines = java.util.List.of(log.split("\n"));
        assertTrue(lines.contains("push matmul") && lines.contains("push fused_silu"), log);
        assertEquals(lines.stream().filter(l -> l.startsWith("push ")).count(), lines.stream().filter(l -> l.equals("pop")).count(), "every range closed: " + log);
        assertEquals(0, lib.getFunction("emu_nvtx_depth").invokeInt(new Object[0]), log);
        assertTrue(CudaDevice.get(0).profiler().table().contains("NVTX ranges: on"));
    }

    /** The register-resident softmax does the rows kernel's arithmetic in the same order: the same bits. */
    /**
     * Every unary and binary kernel (strided, flat, and 16-byte vectors with the elements past the last whole vector
     * done one by one) gives the same bits as the others for every dtype, at lengths around one vector and with
     * tails of every size, and the CPU's values: bit for bit but for the device's transcendental functions.
     */
    @Test
    void elementwiseVariantsAgreeForEveryDtypeAndTail() {
        // integer powers that Math.pow gives exactly and a device pow a few ulps off would truncate to one less
        assertArrayEquals(new double[] {125, -243, 1L << 52, 0, 1, -1, Long.MAX_VALUE},
                Backends.of(GPU).binary(Backend.Binary.POW, Tensor.ofLongs(new long[] {5, -3, 2, 7, 1, -1, 0}, 7).to(GPU),
                        Tensor.ofLongs(new long[] {3, 5, 52, -2, -9, 7, -1}, 7).to(GPU)).toDoubleArray());
        for (DType t : DType.values()) {
            Tolerance tol = t == DType.FLOAT64 ? Tolerance.FP64 : t == DType.BFLOAT16 ? Tolerance.BF16 : Tolerance.FP32;
            for (int n : new int[] {8, 9, 15, 16, 17, 1001, 65536 + 7}) {
                Tensor floats = random(new int[] {n}, 60 + n, Device.CPU), other = random(new int[] {n}, 61 + n, Device.CPU);
                // integers: no zero divisors (the CPU throws on them), and small exponents so POW stays in range
                Tensor a = t.isFloating() ? floats.cast(t) : floats.mul(50).cast(t);
                Tensor b = t.isFloating() ? other.cast(t) : other.abs().mul(3).add(1).cast(t);
                Tensor ag = a.to(GPU), bg = b.to(GPU);
                // integers reach only these unary ops through the front end
                List<Backend.Unary> unaries = t.isFloating() ? List.of(Backend.Unary.values())
                        : List.of(Backend.Unary.NEG, Backend.Unary.ABS, Backend.Unary.SIGN);
                for (Backend.Unary op : unaries) {
                    Tensor x = op == Backend.Unary.LOG || op == Backend.Unary.SQRT || op == Backend.Unary.RSQRT ? ag.abs() : ag;
                    double[] expected = Backends.of(Device.CPU).unary(op, x.to(Device.CPU)).toDoubleArray();
                    checkVariants(dpvm.kernels.KernelVariants.UNARY, op + " of " + n + " " + t, t, () -> Backends.of(GPU).unary(op, x), expected,
                            t.isFloating() && op.ordinal() >= Backend.Unary.EXP.ordinal() && op != Backend.Unary.ABS && op != Backend.Unary.SIGN ? tol : null);
                }
                for (Backend.Binary op : Backend.Binary.values()) {
                    double[] expected = Backends.of(Device.CPU).binary(op, a, b).toDoubleArray();
                    checkVariants(dpvm.kernels.KernelVariants.BINARY, op + " of " + n + " " + t, t, () -> Backends.of(GPU).binary(op, ag, bg), expected,
                            op == Backend.Binary.POW && t.isFloating() ? tol : null);
                }
            }
        }
        Backends.of(GPU).binary(Backend.Binary.ADD, random(new int[] {9}, 1, GPU).cast(DType.BFLOAT16), random(new int[] {9}, 2, GPU).cast(DType.BFLOAT16));
        assertEquals("vector", dpvm.kernels.KernelVariants.BINARY.lastAutomatic(), "nine bfloat16 elements: one vector and a tail of one");
        Backends.of(GPU).binary(Backend.Binary.ADD, random(new int[] {7}, 1, GPU).cast(DType.BFLOAT16), random(new int[] {7}, 2, GPU).cast(DType.BFLOAT16));
        assertEquals("flat", dpvm.kernels.KernelVariants.BINARY.lastAutomatic(), "seven bfloat16 elements are less than a vector");
        random(new int[] {3, 8}, 3, GPU).mT().exp();
        assertEquals("strided", dpvm.kernels.KernelVariants.UNARY.lastAutomatic(), "a transposed input");
    }

    /**
     * The float32 unary ops that are one math function are within CUDA's documented error of the CPU's (correctly
     * rounded) results: the CUDA Math API's bound in ulps (1 / sqrtf: one more rounding). The fp32 tolerance rests on
     * these bounds. SIGMOID and GELU compose a function with float arithmetic whose roundings the function then
     * magnifies (an error in the erfc argument of GELU grows 2t^2 times; the emulator shows 19 ulps for x in [-4, 4]),
     * so the op tests check them at the fp32 tolerance instead. The emulator models the bounds (device.h moves each
     * result within its function's bound), so there some results must differ; on a GPU they may or may not.
     */
    @Test
    void unaryOpsAreWithinCudasUlpBounds() {
        java.util.Map<Backend.Unary, Integer> bounds = new java.util.EnumMap<>(Backend.Unary.class);
        for (Backend.Unary op : List.of(Backend.Unary.NEG, Backend.Unary.ABS, Backend.Unary.SIGN, Backend.Unary.SQRT, Backend.Unary.RECIPROCAL)) bounds.put(op, 0);
        bounds.put(Backend.Unary.RSQRT, 1);    // 1 / sqrtf: two roundings
        bounds.put(Backend.Unary.LOG, 1);
        bounds.put(Backend.Unary.EXP, 2);
        bounds.put(Backend.Unary.SIN, 2);
        bounds.put(Backend.Unary.COS, 2);
        bounds.put(Backend.Unary.TANH, 2);
        bounds.put(Backend.Unary.ERF, 2);
        java.util.Set<Backend.Unary> composed = java.util.EnumSet.of(Backend.Unary.SIGMOID, Backend.Unary.GELU);
        assertEquals(java.util.EnumSet.complementOf(java.util.EnumSet.copyOf(composed)), bounds.keySet(), "a bound for every op of one function");
        Tensor x = random(new int[] {4096}, 71, Device.CPU).mul(2);
        int emulatedDifferences = 0;
        for (Backend.Unary op : bounds.keySet()) {
            Tensor in = op == Backend.Unary.LOG || op == Backend.Unary.SQRT || op == Backend.Unary.RSQRT ? x.abs().add(1e-3) : x;
            float[] cpu = Backends.of(Device.CPU).unary(op, in).toFloatArray(), gpu = Backends.of(GPU).unary(op, in.to(GPU)).toFloatArray();
            int worst = 0;
            for (int i = 0; i < cpu.length; i++) {
                int ulps = ulpDistance(cpu[i], gpu[i]);
                worst = Math.max(worst, ulps);
                if (op == Backend.Unary.EXP && ulps > 0) emulatedDifferences++;
            }
            assertTrue(worst <= bounds.get(op), op + ": " + worst + " ulps from the CPU, bound " + bounds.get(op));
        }
        if (emulator()) assertTrue(emulatedDifferences > 100, "the emulator's expf moves " + emulatedDifferences + " of 4096 results");
    }

    /** Distance in float32 steps, through the ordered integer image of each value (signs and zeros included). */
    private static int ulpDistance(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) return Float.isNaN(a) && Float.isNaN(b) ? 0 : Integer.MAX_VALUE;
        long ia = Float.floatToIntBits(a), ib = Float.floatToIntBits(b);
        ia = ia < 0 ? Integer.MIN_VALUE - ia : ia;
        ib = ib < 0 ? Integer.MIN_VALUE - ib : ib;
        return (int) Math.min(Integer.MAX_VALUE, Math.abs(ia - ib));
    }

    /** Each variant of {@code choice} forced in turn gives the first one's bits, and the CPU's (within {@code tol} if given). */
    private static void checkVariants(dpvm.kernels.KernelVariants.Choice choice, String what, DType t, java.util.function.Supplier<Tensor> run,
                                      double[] expected, Tolerance tol) {
        double[] first = null;
        for (String v : choice.variants()) {
            try (dpvm.kernels.KernelVariants.Forcing f = choice.force(v)) {
                Tensor got = run.get();
                assertEquals(t, got.dtype(), v + " " + what);
                double[] values = got.toDoubleArray();
                if (tol != null) assertNull(tol.mismatch(values, expected), v + " " + what);
                else assertArrayEquals(expected, values, v + " " + what);
                if (first == null) first = values;
                else assertArrayEquals(first, values, v + " against " + choice.variants().get(0) + ": " + what);
            }
        }
    }

    @Test
    void softmaxVariantsGiveTheSameBits() {
        for (int run : new int[] {1, 255, 256, 1000, 4096, 8192}) {
            Tensor x = random(new int[] {3, run}, 23 + run, GPU).mul(8);
            for (boolean log : new boolean[] {false, true}) {
                float[][] out = new float[2][], grad = new float[2][];
                String[] variants = {"rows", "registers"};
                Tensor up = random(new int[] {3, run}, 31 + run, GPU);
                for (int v = 0; v < 2; v++) {
                    try (dpvm.kernels.KernelVariants.Forcing f = dpvm.kernels.KernelVariants.SOFTMAX.force(variants[v]);
                         dpvm.kernels.KernelVariants.Forcing b = dpvm.kernels.KernelVariants.SOFTMAX_BACKWARD.force(variants[v])) {
                        Tensor xg = x.detach().requiresGrad(true);
                        Tensor y = log ? xg.logSoftmax(1) : xg.softmax(1);
                        out[v] = y.toFloatArray();
                        y.backward(up);
                        grad[v] = xg.grad().toFloatArray();
                    }
                }
                assertArrayEquals(out[0], out[1], (log ? "log-softmax" : "softmax") + " over rows of " + run);
                assertArrayEquals(grad[0], grad[1], (log ? "log-softmax" : "softmax") + " gradient over rows of " + run);
            }
        }
        assertThrows(dpvm.kernels.VariantNotApplicableException.class, () -> {
            try (dpvm.kernels.KernelVariants.Forcing ignored = dpvm.kernels.KernelVariants.SOFTMAX.force("registers")) {
                random(new int[] {2, 8193}, 29, GPU).softmax(1);
            }
        });
    }

    @Test
    void devicesAndLibrariesAreDescribedWithVersionsAndFiles() {
        List<String> lines = Backends.describe();
        String device = lines.stream().filter(l -> l.startsWith("cuda:0 ")).findFirst().orElseThrow(() -> new AssertionError(lines));
        assertTrue(device.matches(Pattern.quote(CudaDevice.get(0).name()) + ", [0-9.]+ GiB \\([0-9.]+ GiB free\\)"), device);
        String libraries = lines.get(lines.size() - 1);
        assertTrue(libraries.startsWith("  libraries: "), libraries);
        assertEquals(CudaLibraries.report(), libraries.substring("  libraries: ".length()));
        // each library with a version and the file the process mapped it from
        Matcher m = Pattern.compile(
                "driver (\\d+\\.\\d+) \\((?:kernel module [0-9.]+, )?(/\\S*libcuda\\.so[.0-9]*)\\); runtime (\\d+\\.\\d+) \\((/\\S*libcudart\\.so[.0-9]*)\\); "
                + "cuBLAS (\\d+\\.\\d+\\.\\d+) \\((/\\S*libcublas\\.so[.0-9]*)\\); cuDNN (9\\.\\d+\\.\\d+) \\((/\\S*libcudnn\\.so[.0-9]*)\\); "
                + "NVRTC (\\d+\\.\\d+) \\((/\\S*libnvrtc\\.so[.0-9]*)\\)").matcher(libraries.substring("  libraries: ".length()));
        assertTrue(m.matches(), libraries);
        for (int g = 2; g <= 10; g += 2) assertTrue(Files.exists(Path.of(m.group(g))), m.group(g));
        if (emulator()) {
            // the emulator's own files, and the versions it reports (its NVRTC says 0.1 so no cache mixes its images with cubins)
            Path dir = Path.of(m.group(4)).getParent();
            for (int g = 2; g <= 10; g += 2) assertEquals(dir, Path.of(m.group(g)).getParent(), m.group(g));
            assertEquals(List.of("13.1", "13.1", "13.2.1", "9.19.0", "0.1"), List.of(m.group(1), m.group(3), m.group(5), m.group(7), m.group(9)));
        }
    }
}

package dpvm.nativetests;

import dpvm.kernels.CudaDevice;
import dpvm.kernels.Event;
import dpvm.kernels.HostWaits;
import dpvm.kernels.Stream;
import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.nn.layers.Activation;
import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Conv2d;
import dpvm.nn.layers.Flatten;
import dpvm.nn.layers.Linear;
import dpvm.nn.layers.MaxPool;
import dpvm.nn.loss.CrossEntropyLoss;
import dpvm.nn.optim.Adam;
import dpvm.nn.optim.GradClip;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Functional;
import dpvm.tensor.Rng;
import dpvm.tensor.Scope;
import dpvm.tensor.Tensor;
import dpvm.tensor.check.Tolerance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams and events: every kind of backend work (our kernels, cuBLAS, cuDNN, reductions with temporaries,
 * copies) goes to the stream made current with {@link CudaDevice#useStream}, an {@link Event} orders another
 * stream after it, memory freed on one stream is not handed to another while its work is pending, and memory
 * read by work on another stream than its own is not reused before that work has run.
 *
 * <p>On a GPU only the outcomes that hold for every timing are asserted. On the emulator, whose streams are lazy
 * (work runs only when something waits for it), the checks have teeth: work on a side stream that nothing
 * waits for has not run when the main stream reads its output, so an op that ignored the current stream (and
 * ran on the main stream) would be caught, and so would a missing event.
 */
class StreamChecks extends GpuChecks {

    private static Tensor random(int[] shape, long seed, Device d) {
        return new Rng(seed).uniform(shape, DType.FLOAT32, Device.CPU).mul(4).sub(2).to(d);
    }

    /** One op per kind of backend work, as a function of the inputs on any device. */
    private static Map<String, Function<Tensor[], Tensor>> ops() {
        Map<String, Function<Tensor[], Tensor>> ops = new LinkedHashMap<>();
        ops.put("elementwise (our kernel)", in -> in[0].mul(3).add(1));
        ops.put("matmul (cuBLAS)", in -> in[0].matmul(in[1]));
        ops.put("conv2d (cuDNN)", in -> Functional.conv2d(in[2], in[3], null, 1, 1, 1, 1));
        ops.put("sum over rows (split reduction, partial sums in a temporary)", in -> in[0].sum(0, false));
        ops.put("transposed copy", in -> in[0].transpose(0, 1).contiguous());
        ops.put("softmax", in -> in[1].softmax(-1));
        return ops;
    }

    private static Tensor[] inputs(Device d) {
        return new Tensor[] {random(new int[] {300, 70}, 1, d), random(new int[] {70, 90}, 2, d),
                random(new int[] {2, 3, 17, 19}, 3, d), random(new int[] {5, 3, 3, 3}, 4, d)};
    }

    /** Null when out agrees with ref norm-wise at the fp32 tolerance (contractions round differently), else why not. */
    private static String disagreement(Tensor out, double[] ref) {
        double e = Tolerance.relativeL2(out.toDoubleArray(), ref);
        return e <= Tolerance.FP32.normWiseBound() ? null : "relative L2 error " + e + " > " + Tolerance.FP32.normWiseBound();
    }

    /** Runs op with `side` as the current stream, then restores the main stream. */
    private static Tensor onStream(CudaDevice d, Stream side, Function<Tensor[], Tensor> op, Tensor[] in) {
        Stream main = d.useStream(side);
        try {
            return op.apply(in);
        } finally {
            d.useStream(main);
        }
    }

    @Test
    void everyKindOfWorkFollowsTheCurrentStreamAndAnEventOrdersTheMainStreamAfterIt() {
        CudaDevice d = CudaDevice.get(0);
        Tensor[] cpu = inputs(Device.CPU), gpu = inputs(GPU);
        d.synchronize();
        for (Map.Entry<String, Function<Tensor[], Tensor>> op : ops().entrySet()) {
            double[] expected = op.getValue().apply(cpu).toDoubleArray();
            // first on the main stream, which also makes the library handles, so a handle left on the stream it
            // was made on cannot pass below
            try (Tensor first = op.getValue().apply(gpu)) {
                String m = disagreement(first, expected);
                assertNull(m, op.getKey() + " on the main stream: " + m);
            }
            try (Stream side = Stream.create(d); Event done = new Event()) {
                Tensor ordered = onStream(d, side, op.getValue(), gpu);
                done.record(side);
                d.stream().waitFor(done);
                String m = disagreement(ordered, expected);
                assertNull(m, op.getKey() + " on a side stream, read on the main stream after an event: " + m);

                // the same op with nothing ordering the main stream after it (ordered stays open, so this output
                // gets a block of its own rather than the one holding the right answer)
                Tensor unordered = onStream(d, side, op.getValue(), gpu);
                if (lazyStreams()) {
                    assertNotNull(disagreement(unordered, expected), op.getKey()
                            + ": read on the main stream with no event, the side stream's work must not have run yet on the emulator's lazy streams (if it has, the op ran on the main stream)");
                }
                side.synchronize();
                m = disagreement(unordered, expected);
                assertNull(m, op.getKey() + " after synchronising the side stream: " + m);
                unordered.close();
                ordered.close();
                // and back on the main stream (work that stayed on the side stream would not have run here)
                try (Tensor back = op.getValue().apply(gpu)) {
                    m = disagreement(back, expected);
                    assertNull(m, op.getKey() + " on the main stream again, after the side stream was used: " + m);
                }
            }
        }
    }

    @Test
    void memoryFreedOnAStreamIsNotHandedToAnotherWhileItsWorkIsPending() {
        CudaDevice d = CudaDevice.get(0);
        Tensor x = random(new int[] {1 << 16}, 5, GPU);
        d.synchronize();
        try (Stream side = Stream.create(d)) {
            Tensor pending = onStream(d, side, in -> in[0].mul(3), new Tensor[] {x});
            pending.close(); // its block is free, but the side stream's kernel will still write it
            try (Tensor mine = Tensor.full(new int[] {1 << 16}, 5, DType.FLOAT32, GPU)) {
                float[] before = mine.toFloatArray();
                side.synchronize(); // the side stream's kernel writes the block it was given
                float[] after = mine.toFloatArray();
                for (int i = 0; i < after.length; i += 997) {
                    assertEquals(5f, before[i], "element " + i + " before the side stream ran");
                    assertEquals(5f, after[i], "element " + i + " after the side stream ran: the main stream was handed a block with pending work");
                }
            }
        }
    }

    @Test
    void aTensorMadeOnALoaderStreamCanBeClosedOnceItsReaderIsQueued() {
        CudaDevice d = CudaDevice.get(0);
        float[] first = new Rng(6).uniform(new int[] {1 << 14}, DType.FLOAT32, Device.CPU).toFloatArray();
        float[] second = new Rng(7).uniform(new int[] {1 << 14}, DType.FLOAT32, Device.CPU).toFloatArray();
        try (Stream loader = Stream.create(d)) {
            // a batch uploaded on the loader stream, read by work queued on the main stream, closed at once
            Tensor batch = onStream(d, loader, in -> Tensor.of(first, first.length).to(GPU), new Tensor[0]);
            Tensor doubled = batch.mul(2);
            batch.close();
            // the next batch, same size, on the loader stream: it must not get the block the main stream still reads
            Tensor next = onStream(d, loader, in -> Tensor.of(second, second.length).to(GPU), new Tensor[0]);
            float[] got = doubled.toFloatArray();
            for (int i = 0; i < got.length; i += 101) assertEquals(2 * first[i], got[i], "element " + i + " of the first batch, doubled");
            assertEquals(second[5], next.toFloatArray()[5]);
            next.close();
            doubled.close();
        }
    }

    @Test
    void gradientClippingQueuesItsWorkWithoutWaiting() {
        CudaDevice d = CudaDevice.get(0);
        int[][] shapes = {{30, 7}, {7}, {5, 3, 3}};
        List<Tensor> cpu = new ArrayList<>(), gpu = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            Tensor g = random(shapes[i], 20 + i, Device.CPU);
            Tensor p = Tensor.zeros(shapes[i], DType.FLOAT32, Device.CPU).requiresGrad(true), q = Tensor.zeros(shapes[i], DType.FLOAT32, GPU).requiresGrad(true);
            p.mul(g).sum().backward();
            q.mul(g.to(GPU)).sum().backward();
            cpu.add(p);
            gpu.add(q);
        }
        double want = GradClip.clipGradNorm(cpu, 1.5);
        d.synchronize();
        try (Event before = new Event()) {
            before.record(d.stream());
            Tensor total = GradClip.clipGradNormTensor(gpu, 1.5, 2);
            if (lazyStreams()) assertFalse(before.isComplete(), "the norm, the factor and the scaling were queued without a wait");
            assertEquals(want, total.item(), 1e-5 * want);
        }
        for (int i = 0; i < shapes.length; i++) {
            String m = disagreement(gpu.get(i).grad(), cpu.get(i).grad().toDoubleArray());
            assertNull(m, "clipped gradient " + i + ": " + m);
        }
    }

    /**
     * A training step (a conv net with batch norm, pooling and cross-entropy; backward; gradient clipping; Adam)
     * queues all its work and never waits for the GPU: with -Ddpvm.cuda.syncDebug=error any wait would throw, and
     * the wait count does not move. Reading the loss back is a wait, counted and named by its caller.
     */
    @Test
    void aTrainingStepNeverWaitsForTheGpu() {
        Rng rng = new Rng(30);
        Module net = new Sequential(new Conv2d(1, 4, 3, 1, 1, true, rng), BatchNorm.of2d(4),
                Activation.relu(), MaxPool.of2d(2, 2, 0), new Flatten(),
                new Linear(4 * 4 * 4, 5, true, rng)).to(GPU);
        Tensor x = rng.normal(new int[] {6, 1, 8, 8}, DType.FLOAT32, Device.CPU).to(GPU), y = Tensor.ofLongs(new long[] {0, 1, 2, 3, 4, 0}, 6).to(GPU);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        try (Adam adam = Adam.of(net.parameters(), 1e-3)) {
            Function<Boolean, Double> step = read -> {
                try (Scope s = Scope.open()) {
                    Tensor loss = lossFn.apply(net.forward(x), y);
                    adam.zeroGrad();
                    loss.backward();
                    GradClip.clipGradNormTensor(net.parameters(), 1.0, 2);
                    adam.step();
                    return read ? loss.item() : Double.NaN;
                }
            };
            double first = step.apply(true); // compiles kernels, plans convolutions, fills the allocator's cache
            long before = HostWaits.total();
            String mode = System.getProperty("dpvm.cuda.syncDebug");
            System.setProperty("dpvm.cuda.syncDebug", "error");
            try {
                for (int i = 0; i < 3; i++) step.apply(false);
            } finally {
                if (mode == null) System.clearProperty("dpvm.cuda.syncDebug");
                else System.setProperty("dpvm.cuda.syncDebug", mode);
            }
            assertEquals(before, HostWaits.total(), "waits by caller: " + HostWaits.byCaller());
            double last = step.apply(true);
            assertTrue(HostWaits.total() > before, "reading the loss waits");
            assertTrue(HostWaits.byCaller().keySet().stream().anyMatch(k -> k.startsWith("StreamChecks.")),
                    "the wait is counted against its caller: " + HostWaits.byCaller());
            assertTrue(last < first, "five steps lowered the loss: " + first + " -> " + last);
        }
    }
}

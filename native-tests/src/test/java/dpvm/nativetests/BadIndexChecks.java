package dpvm.nativetests;

import dpvm.kernels.CudaDevice;
import dpvm.kernels.CudaGraph;
import dpvm.kernels.Event;
import dpvm.tensor.Backend;
import dpvm.tensor.Backends;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.ShapeException;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Out-of-range indices on the GPU: reported as on the CPU (op, index, dim, size, shape), at the next wait for the
 * GPU rather than by a wait after every index op; the first bad one in launch order; with
 * {@code -Ddpvm.cuda.indexChecks=sync} at the op itself; in replays of a captured graph too; and nothing is left
 * behind for the ops after a report.
 */
class BadIndexChecks extends GpuChecks {
    private static final String MODE = "dpvm.cuda.indexChecks";

    private String mode;

    /** The default, deferred reports (whatever the run set); the sync test sets its own. */
    @BeforeEach
    void forceDeferredReports() {
        mode = System.getProperty(MODE);
        System.setProperty(MODE, "deferred");
    }

    @AfterEach
    void restoreMode() {
        if (mode == null) System.clearProperty(MODE);
        else System.setProperty(MODE, mode);
        try {
            CudaDevice.get(0).synchronize(); // a test that failed early must not leave its bad index to the next class
        } catch (ShapeException leftOver) {
            // reported by the failing test already
        }
    }

    private static Tensor random(int[] shape, long seed) {
        return new Rng(seed).uniform(shape, DType.FLOAT32, Device.CPU).to(GPU);
    }

    private static Tensor longs(long... v) {
        return Tensor.ofLongs(v, v.length).to(GPU);
    }

    private static void mentions(ShapeException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
    }

    @Test
    void aBadIndexIsReportedAtTheNextWaitWithoutAWaitPerOp() {
        Backend gpu = Backends.of(GPU);
        Tensor x = random(new int[] {3, 4}, 1), other = random(new int[] {5}, 2), bad = longs(0, 7);
        CudaDevice.get(0).synchronize(); // no checks pending from earlier tests, so none run out of slots here
        try (Event before = new Event()) {
            before.record(CudaDevice.get(0).stream());
            Tensor out = gpu.indexSelect(x, 0, bad);
            // on the emulator's lazy streams nothing has run unless the op waited for the GPU
            if (lazyStreams()) assertFalse(before.isComplete(), "a checked index op returned without waiting for the GPU");
            ShapeException e = assertThrows(ShapeException.class, other::toFloatArray, "the next read from the GPU, of any tensor, reports it");
            mentions(e, "index_select", "index 7", "dim 0", "size 3", "[3, 4]", "indexChecks=sync");
            assertEquals(2, out.shape()[0]);
        }
        // reported once, and the slots are clear: good ops and reads go on
        assertEquals(5, other.toFloatArray().length);
        float[] rows = gpu.indexSelect(x, 0, longs(2, 0)).toFloatArray(), xs = x.toFloatArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(xs, 8, 12), java.util.Arrays.copyOfRange(rows, 0, 4), "row 2 first");
        assertArrayEquals(java.util.Arrays.copyOfRange(xs, 0, 4), java.util.Arrays.copyOfRange(rows, 4, 8), "then row 0");
    }

    @Test
    void aReadAfterCheckedOpsWaitsOnceForTheDataAndTheSlots() {
        Backend gpu = Backends.of(GPU);
        Tensor x = random(new int[] {3, 4}, 7), idx = longs(2, 1, 0);
        CudaDevice.get(0).synchronize();
        Tensor out = gpu.indexSelect(gpu.indexSelect(x, 0, idx), 0, idx);
        long before = dpvm.kernels.HostWaits.total();
        float[] rows = out.toFloatArray(), xs = x.toFloatArray();
        assertEquals(before + 2, dpvm.kernels.HostWaits.total(), "one wait per read, the slots of both ops read with the first: " + dpvm.kernels.HostWaits.byCaller());
        assertArrayEquals(xs, rows, "rows reversed twice");
    }

    @Test
    void theFirstBadIndexInLaunchOrderIsReported() {
        Backend gpu = Backends.of(GPU);
        Tensor x = random(new int[] {3, 4}, 3);
        gpu.gather(x, 1, Tensor.ofLongs(new long[] {0, 9, 1, 2, 3, 0}, 3, 2).to(GPU));
        gpu.indexSelect(x, 0, longs(5));
        ShapeException e = assertThrows(ShapeException.class, () -> CudaDevice.get(0).synchronize());
        mentions(e, "gather", "index 9", "dim 1", "size 4");
        CudaDevice.get(0).synchronize(); // the second bad op was cleared with the first
    }

    @Test
    void syncModeReportsAtTheOp() {
        Backend gpu = Backends.of(GPU);
        Tensor x = random(new int[] {3, 4}, 4), good = longs(1), bad = longs(0, -2);
        CudaDevice.get(0).synchronize();
        System.setProperty(MODE, "sync");
        try (Event before = new Event()) {
            before.record(CudaDevice.get(0).stream());
            gpu.indexSelect(x, 0, good);
            assertTrue(before.isComplete(), "sync mode waits for the GPU after each checked op");
            ShapeException e = assertThrows(ShapeException.class, () -> gpu.indexSelect(x, 0, bad));
            mentions(e, "index_select", "index -2", "size 3");
            assertFalse(e.getMessage().contains("indexChecks=sync"), "at the op, the message does not point to sync mode: " + e.getMessage());
        }
    }

    @Test
    void syncEachOpReportsABadIndexAtItsOp() {
        Backend gpu = Backends.of(GPU);
        Tensor x = random(new int[] {3, 4}, 8), bad = longs(3);
        CudaDevice.get(0).synchronize();
        System.setProperty("dpvm.cuda.syncEachOp", "true");
        try {
            ShapeException e = assertThrows(ShapeException.class, () -> gpu.indexSelect(x, 0, bad));
            mentions(e, "index_select", "index 3", "size 3");
        } finally {
            System.clearProperty("dpvm.cuda.syncEachOp");
        }
    }

    @Test
    void moreCheckedOpsThanSlotsBetweenWaits() {
        Backend gpu = Backends.of(GPU);
        Tensor x = random(new int[] {6, 2}, 5), idx = longs(5, 0, 3);
        Tensor last = null;
        for (int i = 0; i < 2500; i++) last = gpu.indexSelect(x, 0, idx); // more than two rounds of slots
        Tensor bad = gpu.indexSelect(x, 0, longs(6));
        for (int i = 0; i < 10; i++) gpu.indexSelect(x, 0, idx);
        ShapeException e = assertThrows(ShapeException.class, () -> CudaDevice.get(0).synchronize());
        mentions(e, "index 6", "size 6");
        assertEquals(6, last.toFloatArray().length);
        assertEquals(2, bad.shape()[1]);
    }

    @Test
    void replaysOfACapturedGraphAreChecked() {
        Backend gpu = Backends.of(GPU);
        Tensor x = random(new int[] {4, 3}, 6), idx = longs(3, 1), y = Tensor.empty(new int[] {2, 3}, DType.FLOAT32, GPU);
        Runnable step = () -> {
            try (Tensor t = gpu.indexSelect(x, 0, idx)) {
                gpu.copyInto(y, t);
            }
        };
        step.run();
        try (CudaGraph g = CudaGraph.capture(GPU, step)) {
            g.replay();
            float[] rows = y.toFloatArray(), xs = x.toFloatArray();
            for (int c = 0; c < 3; c++) assertEquals(xs[9 + c], rows[c], "row 3, column " + c);
            gpu.upload(idx.storage(), idx.offset(), new long[] {1, 4});
            g.replay();
            ShapeException e = assertThrows(ShapeException.class, y::toFloatArray, "a bad index in a replay");
            mentions(e, "index_select", "index 4", "size 4");
            gpu.upload(idx.storage(), idx.offset(), new long[] {0, 2});
            g.replay();
            rows = y.toFloatArray();
            for (int c = 0; c < 3; c++) assertEquals(xs[6 + c], rows[3 + c], "row 2, column " + c + " after the report");
        }
    }
}

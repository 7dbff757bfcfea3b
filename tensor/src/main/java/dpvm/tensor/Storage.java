package dpvm.tensor;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend's block of memory for {@code size} elements of one dtype. Every {@link Tensor} that views it holds one
 * reference; the last {@link #release()} frees the memory at once, so device memory never waits for the garbage
 * collector. A storage that becomes unreachable without being released is freed by a {@link Cleaner} as a
 * safety net.
 */
public abstract class Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    /** Frees the memory behind a storage exactly once; must not refer to the storage itself. */
    public interface Freer extends Runnable {}

    private final DType dtype;
    private final int size;
    private final Device device;
    private final AtomicInteger refs = new AtomicInteger(0);
    private final Cleaner.Cleanable cleanable;
    private volatile boolean released;

    protected Storage(DType dtype, int size, Device device, Freer freer) {
        this.dtype = dtype;
        this.size = size;
        this.device = device;
        this.cleanable = CLEANER.register(this, freer == null ? () -> {} : freer);
    }

    public DType dtype() {
        return dtype;
    }

    public int size() {
        return size;
    }

    public Device device() {
        return device;
    }

    public boolean isReleased() {
        return released;
    }

    void retain() {
        if (released) throw new IllegalStateException("storage of " + size + " " + dtype + " on " + device + " was already released");
        refs.incrementAndGet();
    }

    /** Drops one reference; the last one frees the memory. */
    void release() {
        if (refs.decrementAndGet() == 0) {
            released = true;
            onRelease();
            cleanable.clean();
        }
    }

    /** Called once when the last reference goes, before the freer runs (drop Java references here). */
    protected void onRelease() {}
}

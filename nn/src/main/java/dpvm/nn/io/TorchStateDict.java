package dpvm.nn.io;

import dpvm.nn.io.PickleValues.TensorRef;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of one dict inside a torch checkpoint. Non-tensor values (step counters, strings,
 * nested optimizer state) are skipped, not errors: a checkpoint is more than its weights.
 * Storages are read from the archive only when a tensor is asked for.
 */
final class TorchStateDict implements WeightFile {

    private final Path file;
    private final TorchZipArchive archive;
    private final Map<String, TensorRef> tensors;
    private final Map<String, String> metadata;
    private final boolean ownsArchive;

    TorchStateDict(Path file, TorchZipArchive archive, Map<?, ?> dict, Map<String, String> metadata, boolean ownsArchive) {
        this.file = file;
        this.archive = archive;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.ownsArchive = ownsArchive;
        Map<String, TensorRef> t = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (e.getKey() instanceof String name && e.getValue() instanceof TensorRef ref) {
                t.put(name, ref);
            }
        }
        this.tensors = Collections.unmodifiableMap(t);
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public StoredTensor get(String name) {
        return ReadGuard.guard(file, () -> read(name));
    }

    private StoredTensor read(String name) {
        TensorRef ref = tensors.get(name);
        if (ref == null) {
            throw new WeightFileException(file, "no tensor named \"" + name + "\"");
        }
        StoredDType dtype = ref.storage().dtype();
        int size = dtype.byteSize();
        long numel = Shapes.numel(ref.shape());
        if (numel > TorchZipArchive.MAX_ARRAY / size || ref.storage().numel() > TorchZipArchive.MAX_ARRAY / size) {
            throw new WeightFileException(file, "tensor \"" + name + "\" is larger than one buffer can hold");
        }
        byte[] storage = archive.readExactly("data/" + ref.storage().key(), ref.storage().numel() * size);
        // The storage array may be cached and shared; StoredTensor only exposes it read-only.
        byte[] bytes = StridedCopy.coversWholeStorage(ref.storage().numel(), ref.offset(), ref.shape(), ref.stride())
                ? storage
                : StridedCopy.gather(storage, size, ref.offset(), ref.shape(), ref.stride(), (int) numel);
        return new StoredTensor(name, dtype, ref.shape(), ByteBuffer.wrap(bytes));
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public void close() {
        if (ownsArchive) {
            archive.close();
        }
    }
}

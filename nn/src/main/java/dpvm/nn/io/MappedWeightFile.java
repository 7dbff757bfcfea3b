package dpvm.nn.io;

import java.util.Map;
import java.util.Set;

/** A weight file whose tensors appear under the names a {@link KeyMapping} gave them. */
final class MappedWeightFile implements WeightFile {

    private final WeightFile source;
    private final Map<String, String> newToOld;

    MappedWeightFile(WeightFile source, KeyMapping.Result mapping) {
        this.source = source;
        this.newToOld = mapping.newToOld();
    }

    @Override
    public Set<String> names() {
        return newToOld.keySet();
    }

    @Override
    public StoredTensor get(String name) {
        String old = newToOld.get(name);
        if (old == null) {
            throw new WeightFileException(null, "no tensor named \"" + name + "\" after key mapping (source: " + source + ")");
        }
        return source.get(old).withName(name);
    }

    @Override
    public Map<String, String> metadata() {
        return source.metadata();
    }

    @Override
    public void close() {
        source.close();
    }

    @Override
    public String toString() {
        return "MappedWeightFile[" + source + "]";
    }
}

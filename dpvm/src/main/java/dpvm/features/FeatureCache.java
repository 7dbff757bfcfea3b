package dpvm.features;

import dpvm.nn.io.TensorIO;
import dpvm.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Per-item feature files under {@code out/video/<id>.safetensors} and {@code out/music/<id>.safetensors}. Files
 * are written atomically, so one that exists is complete, and a rerun after a crash skips it.
 */
public record FeatureCache(Path root) {
    public enum Kind { VIDEO, MUSIC }

    public Path file(Kind kind, String id) {
        return root.resolve(kind.name().toLowerCase()).resolve(id + ".safetensors");
    }

    public boolean has(Kind kind, String id) {
        return Files.isRegularFile(file(kind, id));
    }

    public void write(Kind kind, String id, Map<String, Tensor> features, Map<String, String> metadata) {
        Path f = file(kind, id);
        try {
            Files.createDirectories(f.getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + f.getParent(), e);
        }
        TensorIO.save(f, features, metadata);
    }

    public Map<String, Tensor> read(Kind kind, String id) {
        return TensorIO.load(file(kind, id));
    }
}

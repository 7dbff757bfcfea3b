package dpvm.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PyTorch checkpoint written by {@code torch.save} (zip format, PyTorch 1.6 and later), read
 * without Python through a restricted unpickler that can only rebuild tensors and dicts.
 *
 * <p>The top-level object may be a state dict itself or a training checkpoint such as
 * {@code {'epoch': .., 'state_dict': {...}, 'optimizer': {...}}}; in the latter case the
 * {@code state_dict} entry (or {@code model}, see {@link #STATE_DICT_KEYS}) is selected
 * automatically and every other dict is reachable through {@link #stateDict(String)}.
 * Tensor bytes are read from the archive only on {@link #get}.
 */
public final class TorchCheckpoint implements WeightFile {

    /** The pickle of a large state dict is a few MB; far more than this means a hostile file. */
    static final long MAX_PICKLE_BYTES = 64L * 1024 * 1024;
    /**
     * Where training scripts put the weights, in order of preference: torchvision/ImageNet
     * examples use state_dict, timm/DeiT/VideoMAE use model, some wrappers module.
     */
    public static final List<String> STATE_DICT_KEYS = List.of("state_dict", "model", "module");

    private final Path file;
    private final TorchZipArchive archive;
    private final Map<?, ?> root;
    private final Map<String, String> baseMetadata;
    private final TorchStateDict selected;
    private final String selectedKey;

    private TorchCheckpoint(Path file, TorchZipArchive archive, Map<?, ?> root, Map<String, String> baseMetadata) {
        this.file = file;
        this.archive = archive;
        this.root = root;
        this.baseMetadata = baseMetadata;
        this.selectedKey = chooseStateDict(root);
        this.selected = view(selectedKey);
    }

    /**
     * {@code state_dict} if it is a dict; otherwise, when the top level holds no tensor itself,
     * the first of {@code model} or {@code module} that is a dict; otherwise the top level.
     */
    private static String chooseStateDict(Map<?, ?> root) {
        if (root.get(STATE_DICT_KEYS.get(0)) instanceof Map<?, ?>) {
            return STATE_DICT_KEYS.get(0);
        }
        for (Object v : root.values()) {
            if (v instanceof PickleValues.TensorRef) {
                return null;
            }
        }
        for (String k : STATE_DICT_KEYS) {
            if (root.get(k) instanceof Map<?, ?>) {
                return k;
            }
        }
        return null;
    }

    /**
     * Reads the archive directory and the pickle (tensor geometry is validated now), but no
     * tensor data.
     *
     * @throws UnsafeWeightFileException if the pickle names anything outside the allow-list
     * @throws WeightFileException       for any other malformed, truncated or unsupported file
     */
    public static TorchCheckpoint open(Path file) {
        return open(file, MAX_PICKLE_BYTES);
    }

    /** As {@link #open(Path)} with another cap on the pickle's size; lets tests use small bombs. */
    static TorchCheckpoint open(Path file, long maxPickleBytes) {
        return ReadGuard.guard(file, () -> read(file, maxPickleBytes));
    }

    private static TorchCheckpoint read(Path file, long maxPickleBytes) {
        sniff(file);
        TorchZipArchive archive = TorchZipArchive.open(file);
        try {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pytorch-zip");
            meta.put("archive", archive.prefix());
            String byteOrder = archive.has("byteorder") ? text(archive.read("byteorder", 16)) : "little";
            if (!byteOrder.equals("little")) {
                throw new WeightFileException(file, "byteorder \"" + byteOrder + "\" is not supported, only little-endian");
            }
            meta.put("byteorder", byteOrder);
            if (archive.has("version")) {
                meta.put("version", text(archive.read("version", 16)));
            }
            byte[] pickle = archive.read("data.pkl", maxPickleBytes);
            Object top = new RestrictedUnpickler(file, archive.prefix() + "/data.pkl", pickle,
                    new TorchPickleResolver(file)).load();
            if (!(top instanceof Map<?, ?> root)) {
                throw new WeightFileException(file, "top-level object has type " + RestrictedUnpickler.typeName(top)
                        + ", not a dict of tensors");
            }
            for (Map.Entry<?, ?> e : root.entrySet()) {
                if (e.getKey() instanceof String k && isScalar(e.getValue())) {
                    meta.put("checkpoint." + k, String.valueOf(e.getValue()));
                }
            }
            return new TorchCheckpoint(file, archive, root, meta);
        } catch (RuntimeException e) {
            archive.close();
            throw e;
        }
    }

    /** Gives the legacy formats a clear message instead of a generic zip error. */
    private static void sniff(Path file) {
        byte[] head = new byte[512];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while (n < head.length && (r = in.read(head, n, head.length - n)) > 0) {
                n += r;
            }
        } catch (IOException e) {
            throw new WeightFileException(file, "cannot read: " + e, e);
        }
        if (n == 0) {
            throw new WeightFileException(file, "file is empty");
        }
        if ((head[0] & 0xFF) == 0x80 && n > 1 && head[1] >= 0 && head[1] <= 5) {
            throw new WeightFileException(file, "legacy non-zip torch.save format (PyTorch < 1.6) is not supported;"
                    + " re-save it with a current torch.save, or convert it to safetensors");
        }
        if (n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            throw new WeightFileException(file, "legacy tar torch.save format is not supported;"
                    + " re-save it with a current torch.save, or convert it to safetensors");
        }
        if (n < 4 || head[0] != 'P' || head[1] != 'K') {
            throw new WeightFileException(file, "not a PyTorch zip checkpoint (no zip signature)");
        }
    }

    private static boolean isScalar(Object o) {
        return o instanceof String || o instanceof Long || o instanceof BigInteger || o instanceof Double
                || o instanceof Boolean;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8).trim();
    }

    private TorchStateDict view(String key) {
        Map<?, ?> dict = key == null ? root : (Map<?, ?>) root.get(key);
        Map<String, String> meta = new LinkedHashMap<>(baseMetadata);
        meta.put("state_dict_key", key == null ? "" : key);
        return new TorchStateDict(file, archive, dict, meta, false);
    }

    /**
     * The tensors of the top-level entry {@code key}, e.g. {@code "model"} or {@code "ema"}.
     * The view shares this checkpoint's archive: it stays usable until this checkpoint is closed,
     * and closing the view itself does nothing.
     */
    public WeightFile stateDict(String key) {
        Object v = root.get(key);
        if (!(v instanceof Map<?, ?>)) {
            throw new WeightFileException(file, v == null && !root.containsKey(key)
                    ? "checkpoint has no entry \"" + key + "\""
                    : "checkpoint entry \"" + key + "\" has type " + RestrictedUnpickler.typeName(v) + ", not dict");
        }
        return view(key);
    }

    /** String keys of the top-level dict, in file order. */
    public Set<String> topLevelKeys() {
        Set<String> keys = new LinkedHashSet<>();
        for (Object k : root.keySet()) {
            if (k instanceof String s) {
                keys.add(s);
            }
        }
        return Collections.unmodifiableSet(keys);
    }

    /** The top-level key whose dict {@link #names()} describes, or null when the top level is the state dict. */
    public String selectedKey() {
        return selectedKey;
    }

    @Override
    public Set<String> names() {
        return selected.names();
    }

    @Override
    public StoredTensor get(String name) {
        return selected.get(name);
    }

    @Override
    public Map<String, String> metadata() {
        return selected.metadata();
    }

    @Override
    public void close() {
        archive.close();
    }

    @Override
    public String toString() {
        return "TorchCheckpoint[" + file + ", " + names().size() + " tensors]";
    }
}

package dpvm.nn.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Test-only: lays out a torch.save zip archive the way PyTorch does, entries stored uncompressed. */
final class TorchZipBuilder {

    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private final Map<String, Boolean> deflate = new LinkedHashMap<>();
    private final String prefix;

    TorchZipBuilder(String prefix) {
        this.prefix = prefix;
    }

    static TorchZipBuilder standard(byte[] pickle, Map<String, byte[]> storages) {
        TorchZipBuilder b = new TorchZipBuilder("archive");
        b.entry("data.pkl", pickle);
        b.entry("byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        storages.forEach((k, v) -> b.entry("data/" + k, v));
        b.entry("version", "3\n".getBytes(StandardCharsets.US_ASCII));
        b.entry(".data/serialization_id", "1234567890".getBytes(StandardCharsets.US_ASCII));
        return b;
    }

    TorchZipBuilder entry(String relative, byte[] content) {
        entries.put(prefix + "/" + relative, content);
        return this;
    }

    TorchZipBuilder remove(String relative) {
        entries.remove(prefix + "/" + relative);
        return this;
    }

    TorchZipBuilder deflated(String relative) {
        deflate.put(prefix + "/" + relative, true);
        return this;
    }

    byte[] build() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    ZipEntry z = new ZipEntry(e.getKey());
                    if (!deflate.containsKey(e.getKey())) {
                        CRC32 crc = new CRC32();
                        crc.update(e.getValue());
                        z.setMethod(ZipEntry.STORED);
                        z.setSize(e.getValue().length);
                        z.setCompressedSize(e.getValue().length);
                        z.setCrc(crc.getValue());
                    }
                    zip.putNextEntry(z);
                    zip.write(e.getValue());
                    zip.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

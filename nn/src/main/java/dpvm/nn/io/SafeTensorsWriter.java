package dpvm.nn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Serialises tensors to the safetensors layout: length prefix, padded JSON header, raw data. */
final class SafeTensorsWriter {
    private SafeTensorsWriter() {
    }

    static void write(Path target, Map<String, StoredTensor> tensors, Map<String, String> metadata) {
        if (metadata == null) {
            metadata = Map.of();
        }
        ByteBuffer header = header(target, tensors, metadata);
        try {
            AtomicFiles.write(target, ch -> {
                ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                prefix.putLong(0, header.remaining());
                AtomicFiles.writeFully(ch, prefix);
                AtomicFiles.writeFully(ch, header);
                for (StoredTensor t : tensors.values()) {
                    AtomicFiles.writeFully(ch, t.data());
                }
            });
        } catch (IOException e) {
            throw new WeightFileException(target, "could not write safetensors file: " + e, e);
        }
    }

    /** The UTF-8 header, space-padded to a multiple of 8 so the data section starts aligned. */
    static ByteBuffer header(Path target, Map<String, StoredTensor> tensors, Map<String, String> metadata) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        if (!metadata.isEmpty()) {
            JsonWriter.appendString(sb, SafeTensorsHeader.METADATA_KEY);
            sb.append(":{");
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                JsonWriter.appendString(sb, m.getKey());
                sb.append(':');
                JsonWriter.appendString(sb, m.getValue());
            }
            sb.append('}');
            first = false;
        }
        long offset = 0;
        for (Map.Entry<String, StoredTensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name.equals(SafeTensorsHeader.METADATA_KEY)) {
                throw new WeightFileException(target, "a tensor may not be called " + SafeTensorsHeader.METADATA_KEY);
            }
            StoredTensor t = e.getValue();
            if (!first) {
                sb.append(',');
            }
            first = false;
            long end = offset + t.byteSize();
            JsonWriter.appendString(sb, name);
            sb.append(":{\"dtype\":");
            JsonWriter.appendString(sb, t.dtype().safetensorsName());
            sb.append(",\"shape\":");
            JsonWriter.appendLongs(sb, t.shape());
            sb.append(",\"data_offsets\":");
            JsonWriter.appendLongs(sb, new long[] {offset, end});
            sb.append('}');
            offset = end;
        }
        sb.append('}');
        while (utf8Length(sb) % 8 != 0) {
            sb.append(' ');
        }
        try {
            return StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(sb));
        } catch (CharacterCodingException e) {
            throw new WeightFileException(target, "a tensor name or metadata string is not valid Unicode (lone surrogate)");
        }
    }

    private static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}

package dpvm.nn.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated JSON header of a safetensors file. Validation follows the reference
 * implementation: tensors, sorted by offset, must tile the data section exactly, with no gap,
 * overlap or trailing bytes, and each must span exactly numel * dtype size bytes.
 */
final class SafeTensorsHeader {

    /** The reference implementation refuses headers above this size; so do we. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    static final int MAX_JSON_DEPTH = 16;
    static final int MAX_STRING_LENGTH = 16 * 1024 * 1024;
    static final String METADATA_KEY = "__metadata__";

    record Entry(String name, StoredDType dtype, long[] shape, long begin, long end) {
    }

    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensorsHeader(Map<String, Entry> entries, Map<String, String> metadata) {
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Entries by name, in header order. */
    Map<String, Entry> entries() {
        return entries;
    }

    Map<String, String> metadata() {
        return metadata;
    }

    /**
     * @param json      the header bytes (without the 8-byte length prefix)
     * @param dataBytes size of the data section that follows the header
     */
    static SafeTensorsHeader parse(Path file, ByteBuffer json, long dataBytes) {
        String text = decodeUtf8(file, json);
        if (!text.startsWith("{")) {
            throw new WeightFileException(file, "safetensors header does not start with '{'");
        }
        Object root;
        try {
            root = JsonParser.parse(text, MAX_JSON_DEPTH, MAX_STRING_LENGTH);
        } catch (JsonParser.JsonException e) {
            throw new WeightFileException(file, "malformed safetensors header: " + e.getMessage());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> top = (Map<String, Object>) root;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : top.entrySet()) {
            if (e.getKey().equals(METADATA_KEY)) {
                readMetadata(file, e.getValue(), metadata);
            } else {
                entries.put(e.getKey(), readEntry(file, e.getKey(), e.getValue()));
            }
        }
        checkLayout(file, entries, dataBytes);
        return new SafeTensorsHeader(entries, metadata);
    }

    private static String decodeUtf8(Path file, ByteBuffer json) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(json)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new WeightFileException(file, "safetensors header is not valid UTF-8");
        }
    }

    private static void readMetadata(Path file, Object value, Map<String, String> out) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new WeightFileException(file, "__metadata__ is not a JSON object");
        }
        for (Map.Entry<?, ?> m : map.entrySet()) {
            if (!(m.getValue() instanceof String s)) {
                throw new WeightFileException(file, "__metadata__ value of \""
                        + JsonParser.abbreviate((String) m.getKey()) + "\" is not a string");
            }
            out.put((String) m.getKey(), s);
        }
    }

    private static Entry readEntry(Path file, String name, Object value) {
        String where = "tensor \"" + JsonParser.abbreviate(name) + "\"";
        if (!(value instanceof Map<?, ?> map)) {
            throw new WeightFileException(file, where + ": header entry is not a JSON object");
        }
        for (Object k : map.keySet()) {
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw new WeightFileException(file, where + ": unexpected field \""
                        + JsonParser.abbreviate((String) k) + "\"");
            }
        }
        if (!(map.get("dtype") instanceof String dtypeName)) {
            throw new WeightFileException(file, where + ": missing or non-string dtype");
        }
        StoredDType dtype = StoredDType.fromSafetensorsName(dtypeName).orElseThrow(() ->
                new WeightFileException(file, where + ": unsupported dtype \"" + JsonParser.abbreviate(dtypeName) + "\""));
        long[] shape = longArray(file, where, "shape", map.get("shape"));
        long[] offsets = longArray(file, where, "data_offsets", map.get("data_offsets"));
        if (offsets.length != 2) {
            throw new WeightFileException(file, where + ": data_offsets must have two entries");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new WeightFileException(file, where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long bytes;
        try {
            bytes = Shapes.byteSize(shape, dtype);
        } catch (IllegalArgumentException e) {
            throw new WeightFileException(file, where + ": bad shape " + Shapes.toString(shape) + ": " + e.getMessage());
        }
        if (bytes < 0) {
            throw new WeightFileException(file, where + ": shape " + Shapes.toString(shape) + " is too large");
        }
        if (bytes != end - begin) {
            throw new WeightFileException(file, where + ": " + dtype + Shapes.toString(shape) + " needs " + bytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] longArray(Path file, String where, String field, Object value) {
        if (!(value instanceof List<?> list)) {
            throw new WeightFileException(file, where + ": missing or non-array " + field);
        }
        if (list.size() > 64) {
            throw new WeightFileException(file, where + ": " + field + " has " + list.size() + " entries");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (v instanceof BigInteger) {
                throw new WeightFileException(file, where + ": " + field + " value out of range");
            }
            if (!(v instanceof Long l)) {
                throw new WeightFileException(file, where + ": " + field + " holds a non-integer");
            }
            if (l < 0) {
                throw new WeightFileException(file, where + ": " + field + " holds negative value " + l);
            }
            out[i] = l;
        }
        return out;
    }

    private static void checkLayout(Path file, Map<String, Entry> entries, long dataBytes) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : sorted) {
            String where = "tensor \"" + JsonParser.abbreviate(e.name()) + "\"";
            if (e.end() > dataBytes) {
                throw new WeightFileException(file, where + ": data_offsets [" + e.begin() + ", " + e.end()
                        + "] reach past the " + dataBytes + "-byte data section");
            }
            if (e.begin() < expected) {
                throw new WeightFileException(file, where + ": data_offsets [" + e.begin() + ", " + e.end()
                        + "] overlap another tensor");
            }
            if (e.begin() > expected) {
                throw new WeightFileException(file, where + ": gap in the data section before offset " + e.begin());
            }
            expected = e.end();
        }
        if (expected != dataBytes) {
            throw new WeightFileException(file, "data section has " + dataBytes + " bytes but tensors cover only " + expected);
        }
    }
}

package dpvm.nn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * An open safetensors file. The data section is memory-mapped once and each tensor is a slice of
 * that map; a data section too large for one {@link MappedByteBuffer} is mapped per tensor
 * instead, on demand.
 */
final class SafeTensorsFile implements WeightFile {

    private final Path file;
    private final FileChannel channel;
    private final SafeTensorsHeader header;
    private final long dataStart;
    private final MappedByteBuffer wholeData;
    private volatile boolean closed;

    private SafeTensorsFile(Path file, FileChannel channel, SafeTensorsHeader header, long dataStart,
                            MappedByteBuffer wholeData) {
        this.file = file;
        this.channel = channel;
        this.header = header;
        this.dataStart = dataStart;
        this.wholeData = wholeData;
    }

    static SafeTensorsFile open(Path file, long singleMapLimit) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new WeightFileException(file, "cannot open: " + e, e);
        }
        try {
            SafeTensorsFile f = read(file, ch, singleMapLimit);
            ch = null;
            return f;
        } catch (IOException e) {
            throw new WeightFileException(file, "cannot read: " + e, e);
        } finally {
            if (ch != null) {
                closeQuietly(ch);
            }
        }
    }

    private static SafeTensorsFile read(Path file, FileChannel ch, long singleMapLimit) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new WeightFileException(file, "file has " + size + " bytes, fewer than the 8-byte header length");
        }
        ByteBuffer prefix = readAt(file, ch, 0, 8);
        long n = prefix.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 0 || n > SafeTensorsHeader.MAX_HEADER_BYTES) {
            throw new WeightFileException(file, "header length " + Long.toUnsignedString(n)
                    + " exceeds the " + SafeTensorsHeader.MAX_HEADER_BYTES + "-byte limit");
        }
        if (n < 2) {
            throw new WeightFileException(file, "header length " + n + " is too small to hold a JSON object");
        }
        if (n > size - 8) {
            throw new WeightFileException(file, "header length " + n + " is larger than the "
                    + (size - 8) + " bytes that follow it (truncated file?)");
        }
        ByteBuffer json = readAt(file, ch, 8, (int) n);
        long dataStart = 8 + n;
        long dataBytes = size - dataStart;
        SafeTensorsHeader header = SafeTensorsHeader.parse(file, json, dataBytes);
        MappedByteBuffer whole = dataBytes <= singleMapLimit
                ? ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataBytes)
                : null;
        return new SafeTensorsFile(file, ch, header, dataStart, whole);
    }

    private static ByteBuffer readAt(Path file, FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new WeightFileException(file, "file ended while reading " + length + " bytes at offset " + position);
            }
        }
        return b.flip();
    }

    @Override
    public Set<String> names() {
        return header.entries().keySet();
    }

    @Override
    public StoredTensor get(String name) {
        return ReadGuard.guard(file, () -> read(name));
    }

    private StoredTensor read(String name) {
        if (closed) {
            throw new WeightFileException(file, "file is closed");
        }
        SafeTensorsHeader.Entry e = header.entries().get(name);
        if (e == null) {
            throw new WeightFileException(file, "no tensor named \"" + name + "\"");
        }
        long length = e.end() - e.begin();
        if (length > Integer.MAX_VALUE) {
            throw new WeightFileException(file, "tensor \"" + name + "\" has " + length
                    + " bytes, more than one buffer can hold");
        }
        ByteBuffer bytes;
        if (wholeData != null) {
            bytes = wholeData.slice((int) e.begin(), (int) length);
        } else {
            try {
                bytes = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), length);
            } catch (IOException ex) {
                throw new WeightFileException(file, "cannot map tensor \"" + name + "\": " + ex, ex);
            }
        }
        return new StoredTensor(name, e.dtype(), e.shape(), bytes);
    }

    @Override
    public Map<String, String> metadata() {
        return header.metadata();
    }

    @Override
    public void close() {
        closed = true;
        // Mapped buffers already handed out stay valid: a mapping outlives its channel.
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing was written through this channel, so nothing can be lost.
        }
    }

    @Override
    public String toString() {
        return "SafeTensorsFile[" + file + ", " + header.entries().size() + " tensors]";
    }
}

package dpvm.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The zip container {@code torch.save} writes: {@code <archive>/data.pkl}, {@code <archive>/data/<key>}
 * per storage, {@code <archive>/byteorder} and {@code <archive>/version}. Sizes in zip headers
 * are attacker-controlled, so every entry is streamed with a hard cap and buffers grow only as
 * real bytes arrive.
 */
final class TorchZipArchive implements AutoCloseable {

    private static final int FIRST_CHUNK = 1 << 20;
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Path file;
    private final ZipFile zip;
    private final String prefix;
    private volatile boolean closed;
    private String lastName;
    private SoftReference<byte[]> lastBytes = new SoftReference<>(null);

    private TorchZipArchive(Path file, ZipFile zip, String prefix) {
        this.file = file;
        this.zip = zip;
        this.prefix = prefix;
    }

    static TorchZipArchive open(Path file) {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            throw new WeightFileException(file, "not a readable zip archive: " + why, e);
        }
        try {
            return new TorchZipArchive(file, zip, findPrefix(file, zip));
        } catch (RuntimeException e) {
            closeQuietly(zip);
            if (e instanceof WeightFileException) {
                throw e;
            }
            throw new WeightFileException(file, "corrupt zip directory: " + e, e);
        }
    }

    /** The single top-level folder holding data.pkl; its name varies between torch versions. */
    private static String findPrefix(Path file, ZipFile zip) {
        List<String> found = new ArrayList<>();
        Enumeration<? extends ZipEntry> it = zip.entries();
        while (it.hasMoreElements()) {
            String name = it.nextElement().getName();
            int slash = name.indexOf('/');
            if (slash > 0 && name.indexOf('/', slash + 1) < 0 && name.substring(slash + 1).equals("data.pkl")) {
                found.add(name.substring(0, slash));
            }
        }
        if (found.isEmpty()) {
            throw new WeightFileException(file, "zip archive has no <archive>/data.pkl entry; not a torch.save checkpoint");
        }
        if (found.size() > 1) {
            throw new WeightFileException(file, "zip archive has " + found.size() + " data.pkl entries");
        }
        return found.get(0);
    }

    String prefix() {
        return prefix;
    }

    boolean has(String relative) {
        return entry(relative) != null;
    }

    /** The whole entry, refused if it holds more than {@code maxBytes}. */
    byte[] read(String relative, long maxBytes) {
        ZipEntry e = require(relative);
        return stream(e, maxBytes, -1);
    }

    /**
     * The entry, which must hold exactly {@code expected} bytes. The last one read is kept while
     * memory allows, because tensors sharing a storage are usually asked for one after another.
     * Callers must not modify the array.
     */
    byte[] readExactly(String relative, long expected) {
        synchronized (this) {
            if (lastName != null && lastName.equals(relative)) {
                byte[] cached = lastBytes.get();
                if (cached != null && cached.length == expected) {
                    return cached;
                }
            }
        }
        byte[] bytes = readExactlyUncached(relative, expected);
        synchronized (this) {
            lastName = relative;
            lastBytes = new SoftReference<>(bytes);
        }
        return bytes;
    }

    private byte[] readExactlyUncached(String relative, long expected) {
        ZipEntry e = require(relative);
        if (e.getSize() >= 0 && e.getSize() != expected) {
            throw new WeightFileException(file, "zip entry " + e.getName() + " has " + e.getSize()
                    + " bytes, expected " + expected);
        }
        return stream(e, expected, expected);
    }

    private ZipEntry entry(String relative) {
        if (closed) {
            throw new WeightFileException(file, "file is closed");
        }
        try {
            return zip.getEntry(prefix + "/" + relative);
        } catch (RuntimeException e) {
            throw new WeightFileException(file, "corrupt zip directory: " + e, e);
        }
    }

    private ZipEntry require(String relative) {
        ZipEntry e = entry(relative);
        if (e == null) {
            throw new WeightFileException(file, "zip entry " + prefix + "/" + relative + " is missing");
        }
        return e;
    }

    private byte[] stream(ZipEntry e, long max, long expected) {
        if (max > MAX_ARRAY) {
            throw new WeightFileException(file, "zip entry " + e.getName() + " would need " + max
                    + " bytes, more than one buffer can hold");
        }
        byte[] buf = new byte[(int) Math.min(max, FIRST_CHUNK)];
        int n = 0;
        try (InputStream in = zip.getInputStream(e)) {
            while (true) {
                if (n == buf.length) {
                    if (n >= max) {
                        if (in.read() >= 0) {
                            throw new WeightFileException(file, "zip entry " + e.getName() + " holds more than "
                                    + max + " bytes" + (expected >= 0 ? ", its declared size" : "") + " (zip bomb?)");
                        }
                        break;
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max(2L * buf.length, 1)));
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (IOException | RuntimeException ex) {
            if (ex instanceof WeightFileException w) {
                throw w;
            }
            throw new WeightFileException(file, "cannot read zip entry " + e.getName() + ": " + ex, ex);
        }
        if (expected >= 0 && n != expected) {
            throw new WeightFileException(file, "zip entry " + e.getName() + " has " + n + " bytes, expected " + expected);
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(zip);
    }

    private static void closeQuietly(ZipFile z) {
        try {
            z.close();
        } catch (IOException ignored) {
            // Read-only: nothing to lose.
        }
    }
}

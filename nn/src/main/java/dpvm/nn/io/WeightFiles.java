package dpvm.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a weight file of either supported format, told apart by content rather than by name. */
public final class WeightFiles {
    private WeightFiles() {
    }

    /**
     * A zip archive (or a legacy pickle, which is then reported as unsupported) is read as a
     * PyTorch checkpoint; anything else as safetensors.
     *
     * @throws WeightFileException if the file is unreadable or invalid in the format it appears to have
     */
    public static WeightFile open(Path file) {
        byte[] head = new byte[2];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while (n < 2 && (r = in.read(head, n, 2 - n)) > 0) {
                n += r;
            }
        } catch (IOException e) {
            throw new WeightFileException(file, "cannot read: " + e, e);
        }
        boolean zip = n == 2 && head[0] == 'P' && head[1] == 'K';
        boolean pickle = n >= 1 && (head[0] & 0xFF) == 0x80;
        return zip || pickle ? TorchCheckpoint.open(file) : SafeTensors.open(file);
    }
}

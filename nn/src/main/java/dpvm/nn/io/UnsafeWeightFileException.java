package dpvm.nn.io;

import java.nio.file.Path;

/**
 * The file asks for something a weight loader must never do, typically a pickle naming a global
 * outside the allow-list. Kept distinct so callers can tell "corrupt" from "hostile".
 */
public class UnsafeWeightFileException extends WeightFileException {
    private static final long serialVersionUID = 1L;

    public UnsafeWeightFileException(Path file, String problem) {
        super(file, problem);
    }
}

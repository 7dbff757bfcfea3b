package dpvm.tensor;

/** A shape, dtype or device mismatch. The message names the op and the operands' shapes. */
public class ShapeException extends IllegalArgumentException {
    public ShapeException(String message) {
        super(message);
    }
}

package dpvm.kernels;

/** A forced kernel variant ({@link KernelVariants}) that cannot handle the operands it was given. */
public final class VariantNotApplicableException extends IllegalArgumentException {
    private final String op, variant, reason;

    public VariantNotApplicableException(String op, String variant, String reason) {
        super(op + " variant \"" + variant + "\" is forced but cannot run on these operands: " + reason);
        this.op = op;
        this.variant = variant;
        this.reason = reason;
    }

    public String op() {
        return op;
    }

    public String variant() {
        return variant;
    }

    /** Why the variant does not apply, e.g. "the length 1001 is not a multiple of 4". */
    public String reason() {
        return reason;
    }
}

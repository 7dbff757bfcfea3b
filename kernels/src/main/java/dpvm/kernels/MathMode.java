package dpvm.kernels;

/**
 * Precision of float32 matrix products and convolutions on the GPU. FP32 (the default) keeps full float32
 * arithmetic, so results meet the fp32 tolerance; TF32 and BF16 use the tensor cores with 10-bit and 7-bit
 * mantissas (tolerances 5e-4 and 1e-2). Set with {@link #set} or {@code -Ddpvm.cuda.math=fp32|tf32|bf16}.
 * cuDNN's legacy convolution API has no bf16 mode for float32 data, so convolutions treat BF16 as TF32.
 */
public enum MathMode {
    FP32, TF32, BF16;

    private static volatile MathMode current = parse(System.getProperty("dpvm.cuda.math", "fp32"));

    public static MathMode get() {
        return current;
    }

    public static void set(MathMode m) {
        current = m;
    }

    public static MathMode parse(String s) {
        return valueOf(s.trim().toUpperCase());
    }
}

package dpvm.bench.cpu;

/**
 * How one benchmark's time becomes the table's figure. A throughput row divides its fixed work (FLOPs or bytes)
 * by the time; a latency row reports the time itself, and its ratio is then engine time over libtorch time.
 */
record Row(int order, String label, String unit, double work, boolean throughput, String target) {
    /** Table order: the brief's order of kernels, and GEMMs by size (JMH itself sorts by name). */
    static final java.util.Comparator<Row> ORDER = java.util.Comparator.comparingInt(Row::order).thenComparingDouble(Row::work);

    /** The figure for a JMH average time in milliseconds per call. */
    double figure(double msPerCall) {
        return throughput ? work / (msPerCall * 1e-3) / 1e9 : msPerCall;
    }

    /** The row for a benchmark class (simple name) and its {@code shape} parameter, or null if unknown. */
    static Row of(String benchmarkClass, String shape) {
        switch (benchmarkClass) {
            case "GemmBench":
                return new Row(0, "GEMM " + gemmLabel(shape), "GFLOP/s", GemmBench.flops(shape), true, ">= 0.5");
            case "Conv3dForwardBench":
                return new Row(1, "conv3d fwd 8x64x16x56x56, 64 out, k3 p1", "GFLOP/s", Conv3dCase.flopsPerPass(), true, ">= 0.33");
            case "Conv3dBackwardBench":
                return new Row(2, "conv3d bwd (data + weight)", "GFLOP/s", 2 * Conv3dCase.flopsPerPass(), true, ">= 0.33");
            case "MlpBench":
                return new Row(3, "MLP 2048-1024-512 fwd+bwd, batch 16", "ms/step", 0, false, "<= 2");
            case "SoftmaxBench":
                return new Row(4, "softmax 4096x1024", "GB/s", SoftmaxBench.bytes(), true, "");
            case "LayerNormBench":
                return new Row(5, "layer norm 4096x1024", "GB/s", LayerNormBench.bytes(), true, "");
            case "BatchNormApplyBench":
                return new Row(shape.equals("fused") ? 6 : 7, "batch norm eval 16x64x8x28x28, " + (shape.equals("fused") ? "fused vs batch_norm" : "op by op on both sides"), "GB/s", BatchNormApplyBench.bytes(), true, "");
            case "BatchNormTrainBench":
                return new Row(shape.equals("primitive") ? 8 : 9, "batch norm train 16x64x8x28x28, " + (shape.equals("primitive") ? "primitive" : "former composite") + " vs batch_norm", "GB/s", BatchNormTrainBench.bytes(), true, "");
            case "BackboneBench":
                return new Row(10, BackboneBench.label(shape), "ms/forward", java.util.List.of("r3d101", "vivit_b", "vggish", "se_resnet101_mfcc").indexOf(shape), false, "");
            default:
                return null;
        }
    }

    private static String gemmLabel(String shape) {
        int[] d = GemmBench.dims(shape);
        if (d[0] == d[1] && d[1] == d[2]) return d[0] + "^3";
        return d[0] + "x" + d[1] + " * " + d[1] + "x" + d[2];
    }
}

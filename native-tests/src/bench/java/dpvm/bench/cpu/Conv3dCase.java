package dpvm.bench.cpu;

import dpvm.tensor.Backend.ConvSpec;

/** The conv3d case: N=8, 64 -> 64 channels, 16x56x56, kernel 3, stride 1, padding 1 (same-size output). */
final class Conv3dCase {
    private Conv3dCase() {}

    static final int N = 8, C = 64, O = 64, D = 16, H = 56, W = 56, K = 3;
    static final int[] X = {N, C, D, H, W};
    static final int[] WEIGHT = {O, C, K, K, K};
    static final int[] Y = {N, O, D, H, W};
    static final int[] ONES = {1, 1, 1};
    static final ConvSpec SPEC = new ConvSpec(ONES, ONES, ONES, 1);

    /** One pass: 2*N*O*C*27*D*H*W (the backward's data and weight gradients are one pass each). */
    static double flopsPerPass() {
        return 2.0 * N * O * C * K * K * K * D * H * W;
    }

    static float[] input() {
        return Data.uniform(11, Data.numel(X), 1f);
    }

    /** He-like scale, so outputs stay O(1). */
    static float[] weight() {
        return Data.uniform(12, Data.numel(WEIGHT), (float) Math.sqrt(3.0 / (C * K * K * K)));
    }
}

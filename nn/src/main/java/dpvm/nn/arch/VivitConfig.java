package dpvm.nn.arch;

import dpvm.nn.layers.Activation;

/**
 * HuggingFace VivitConfig's fields. Defaults are google/vivit-b-16x2-kinetics400: 224x224, 32 frames, tubelets
 * 2x16x16, hidden 768, 12 layers of 12 heads, MLP 3072, gelu_fast (tanh form), LayerNorm eps 1e-6.
 * {@code temporalLayers} is used only by the factorised encoder (Model 2).
 */
public record VivitConfig(int imageSize, int numFrames, int[] tubelet, int channels, int hidden, int layers, int heads, int intermediate,
                          Activation.Kind act, double layerNormEps, boolean qkvBias, double dropout, boolean pooler, int temporalLayers) {
    public static VivitConfig base() {
        return new VivitConfig(224, 32, new int[] {2, 16, 16}, 3, 768, 12, 12, 3072, Activation.Kind.GELU_TANH, 1e-6, true, 0, true, 4);
    }

    public int tokensT() { return numFrames / tubelet[0]; }
    public int tokensH() { return imageSize / tubelet[1]; }
    public int tokensW() { return imageSize / tubelet[2]; }

    public int patches() {
        return tokensT() * tokensH() * tokensW();
    }

    /** A small variant for tests: everything else as given. */
    public VivitConfig resized(int image, int frames, int[] tube, int hid, int lay, int hd, int inter, boolean withPooler) {
        return new VivitConfig(image, frames, tube, channels, hid, lay, hd, inter, act, layerNormEps, qkvBias, dropout, withPooler, temporalLayers);
    }

    public VivitConfig withTemporalLayers(int n) {
        return new VivitConfig(imageSize, numFrames, tubelet, channels, hidden, layers, heads, intermediate, act, layerNormEps, qkvBias, dropout, pooler, n);
    }
}

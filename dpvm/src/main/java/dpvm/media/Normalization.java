package dpvm.media;

/**
 * Pixel scalings of the backbones in the spec. Frames arrive on the 0-255 scale; each constant maps one
 * channel value to what its checkpoint was trained on. The two 3D-ResNet generations disagree, so the
 * caller picks the one matching the checkpoint it loads.
 */
public enum Normalization {
    /** 3D ResNet, CVPR2018 code: 0-255 values minus the ActivityNet mean, no std division. */
    RESNET3D_ACTIVITYNET(new float[] {114.7748f, 107.7354f, 99.4750f}, new float[] {1, 1, 1}, 1f),
    /** 3D ResNet, 2020 refactor: 0-1 values, Kinetics mean and std. */
    RESNET3D_KINETICS(new float[] {0.4345f, 0.4051f, 0.3775f}, new float[] {0.2768f, 0.2713f, 0.2737f}, 1f / 255f),
    /** ViViT (HF processor): {@code x * 2/255 - 1}, i.e. [-1, 1] with no per-channel statistics. */
    VIVIT(new float[] {127.5f, 127.5f, 127.5f}, new float[] {127.5f, 127.5f, 127.5f}, 1f),
    /** No change: 0-255 floats. */
    NONE(new float[] {0, 0, 0}, new float[] {1, 1, 1}, 1f);

    private final float[] mean;
    private final float[] std;
    private final float scale;

    Normalization(float[] mean, float[] std, float scale) {
        this.mean = mean;
        this.std = std;
        this.scale = scale;
    }

    public float apply(int channel, float value0to255) {
        return (value0to255 * scale - mean[channel]) / std[channel];
    }

    /** Normalises {@code n} values of one channel from {@code src} into {@code dst}. */
    public void apply(int channel, float[] src, int srcPos, float[] dst, int dstPos, int n) {
        float m = mean[channel], inv = 1f / std[channel], s = scale;
        for (int i = 0; i < n; i++) dst[dstPos + i] = (src[srcPos + i] * s - m) * inv;
    }
}

package dpvm.nn.arch;

/**
 * A 3D ResNet/ResNeXt configuration. {@code adaptivePool} false is the CVPR2018 fixed AvgPool3d of
 * (ceil(T/16), ceil(S/32), ceil(S/32)) with stride 1; true is master's AdaptiveAvgPool3d(1). {@code cardinality}
 * 0 means ResNet, otherwise ResNeXt (CVPR2018 definition). {@code widen} scales every width (master's
 * widen_factor), which tests use for small nets.
 */
public record ResNet3dConfig(int depth, HaraBlock.Shortcut shortcut, int cardinality, int numClasses, int inChannels,
                             int conv1TimeSize, int conv1TimeStride, boolean noMaxPool, boolean adaptivePool,
                             int sampleSize, int sampleDuration, double widen) {
    /** The published Kinetics models: shortcut A for 10/18/34, B otherwise; 16x112x112 clips, CVPR2018 pooling. */
    public static ResNet3dConfig resnet(int depth, int numClasses) {
        return new ResNet3dConfig(depth, depth < 50 ? HaraBlock.Shortcut.A : HaraBlock.Shortcut.B, 0, numClasses, 3, 7, 1, false, false, 112, 16, 1);
    }

    /** ResNeXt-101, cardinality 32, shortcut B. */
    public static ResNet3dConfig resnext101(int numClasses) {
        return new ResNet3dConfig(101, HaraBlock.Shortcut.B, 32, numClasses, 3, 7, 1, false, false, 112, 16, 1);
    }

    public ResNet3dConfig withShortcut(HaraBlock.Shortcut s) {
        return new ResNet3dConfig(depth, s, cardinality, numClasses, inChannels, conv1TimeSize, conv1TimeStride, noMaxPool, adaptivePool, sampleSize, sampleDuration, widen);
    }

    public ResNet3dConfig withAdaptivePool(boolean adaptive) {
        return new ResNet3dConfig(depth, shortcut, cardinality, numClasses, inChannels, conv1TimeSize, conv1TimeStride, noMaxPool, adaptive, sampleSize, sampleDuration, widen);
    }

    public ResNet3dConfig withSample(int size, int duration) {
        return new ResNet3dConfig(depth, shortcut, cardinality, numClasses, inChannels, conv1TimeSize, conv1TimeStride, noMaxPool, adaptivePool, size, duration, widen);
    }

    public ResNet3dConfig withWiden(double w) {
        return new ResNet3dConfig(depth, shortcut, cardinality, numClasses, inChannels, conv1TimeSize, conv1TimeStride, noMaxPool, adaptivePool, sampleSize, sampleDuration, w);
    }
}

package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.nn.layers.Activation;
import dpvm.nn.layers.AdaptiveAvgPool;
import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Conv3d;
import dpvm.nn.layers.Linear;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * torchvision's video ResNets ({@code torchvision/models/video/resnet.py}) with its keys: r3d_18 (3x3x3 convs),
 * mc3_18 (3x3x3 in layer1, 1x3x3 after) and r2plus1d_18 ((2+1)D convs). No max-pool; AdaptiveAvgPool3d(1), fc.
 */
public final class VideoResNet extends Module {
    public enum Kind { R3D, MC3, R2PLUS1D }

    public final Kind kind;

    public VideoResNet(Kind kind, int numClasses, int[] blocks, Rng rng) {
        this.kind = kind;
        if (kind == Kind.R2PLUS1D) {
            registerModule("stem", new Sequential(conv(3, 45, new int[] {1, 7, 7}, new int[] {1, 2, 2}, new int[] {0, 3, 3}, rng), BatchNorm.of3d(45), Activation.relu(),
                    conv(45, 64, new int[] {3, 1, 1}, new int[] {1, 1, 1}, new int[] {1, 0, 0}, rng), BatchNorm.of3d(64), Activation.relu()));
        } else {
            registerModule("stem", new Sequential(conv(3, 64, new int[] {3, 7, 7}, new int[] {1, 2, 2}, new int[] {1, 3, 3}, rng), BatchNorm.of3d(64), Activation.relu()));
        }
        int in = 64;
        for (int l = 0; l < 4; l++) {
            int planes = 64 << l, stride = l == 0 ? 1 : 2;
            ConvKind ck = kind == Kind.R3D ? ConvKind.SIMPLE : kind == Kind.R2PLUS1D ? ConvKind.TWO_PLUS_ONE : l == 0 ? ConvKind.SIMPLE : ConvKind.NO_TEMPORAL;
            Sequential layer = new Sequential();
            for (int b = 0; b < blocks[l]; b++) {
                layer.add(new VideoBasicBlock(in, planes, b == 0 ? stride : 1, ck, rng));
                in = planes;
            }
            registerModule("layer" + (l + 1), layer);
        }
        registerModule("avgpool", new AdaptiveAvgPool(1, 1, 1));
        registerModule("fc", new Linear(in, numClasses, true, rng));
    }

    public static VideoResNet r3d18(int numClasses, Rng rng) {
        return new VideoResNet(Kind.R3D, numClasses, new int[] {2, 2, 2, 2}, rng);
    }

    public static VideoResNet mc318(int numClasses, Rng rng) {
        return new VideoResNet(Kind.MC3, numClasses, new int[] {2, 2, 2, 2}, rng);
    }

    public static VideoResNet r2plus1d18(int numClasses, Rng rng) {
        return new VideoResNet(Kind.R2PLUS1D, numClasses, new int[] {2, 2, 2, 2}, rng);
    }

    static Conv3d conv(int in, int out, int[] k, int[] s, int[] p, Rng rng) {
        return new Conv3d(in, out, k, s, p, false, rng);
    }

    /** The variants' 3x3x3-position convolutions and their downsample strides. */
    enum ConvKind { SIMPLE, NO_TEMPORAL, TWO_PLUS_ONE }

    /** [N, 512] after pooling, before fc. */
    public Tensor features(Tensor x) {
        Tensor y = child("stem").forward(x);
        for (int l = 1; l <= 4; l++) y = child("layer" + l).forward(y);
        return child("avgpool").forward(y).flatten(1, -1);
    }

    @Override
    public Tensor forward(Tensor x) {
        return child("fc").forward(features(x));
    }
}

package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Conv3d;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * The residual blocks of Hara et al.'s 3D ResNets (CVPR2018 code) with their key names. Basic: conv1 3x3x3 (stride
 * s), bn1, relu, conv2, bn2. Bottleneck: conv1 1x1x1, bn1, conv2 3x3x3 with the stride and groups, bn2, conv3
 * 1x1x1, bn3. Both add the shortcut (identity, {@code downsample} conv+BN, or the parameter-free A) then ReLU.
 */
public final class HaraBlock extends Module {
    public enum Shortcut { A, B }

    private final boolean bottleneck;

    private HaraBlock(boolean bottleneck) {
        this.bottleneck = bottleneck;
    }

    static int[] cube(int v) {
        return new int[] {v, v, v};
    }

    static Conv3d conv(int in, int out, int k, int stride, int groups, Rng rng) {
        return new Conv3d(in, out, cube(k), cube(stride), cube(k / 2), cube(1), groups, false, rng);
    }

    public static HaraBlock basic(int in, int planes, int stride, Shortcut shortcut, Rng rng) {
        HaraBlock b = new HaraBlock(false);
        b.registerModule("conv1", conv(in, planes, 3, stride, 1, rng));
        b.registerModule("bn1", BatchNorm.of3d(planes));
        b.registerModule("conv2", conv(planes, planes, 3, 1, 1, rng));
        b.registerModule("bn2", BatchNorm.of3d(planes));
        b.addShortcut(in, planes, stride, shortcut, rng);
        return b;
    }

    /** ResNet bottleneck (mid = planes, groups 1, expansion 4) or ResNeXt's (mid = C*planes/32, groups C, expansion 2). */
    public static HaraBlock bottleneck(int in, int mid, int out, int stride, int groups, Shortcut shortcut, Rng rng) {
        HaraBlock b = new HaraBlock(true);
        b.registerModule("conv1", conv(in, mid, 1, 1, 1, rng));
        b.registerModule("bn1", BatchNorm.of3d(mid));
        b.registerModule("conv2", conv(mid, mid, 3, stride, groups, rng));
        b.registerModule("bn2", BatchNorm.of3d(mid));
        b.registerModule("conv3", conv(mid, out, 1, 1, 1, rng));
        b.registerModule("bn3", BatchNorm.of3d(out));
        b.addShortcut(in, out, stride, shortcut, rng);
        return b;
    }

    private void addShortcut(int in, int out, int stride, Shortcut shortcut, Rng rng) {
        if (stride == 1 && in == out) return;
        if (shortcut == Shortcut.A) {
            // registered under a name the state dict never shows: it has no tensors
            registerModule("downsample", new ShortcutA(out, stride));
        } else {
            registerModule("downsample", new Sequential(conv(in, out, 1, stride, 1, rng), BatchNorm.of3d(out)));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = child("bn1").forward(child("conv1").forward(x)).relu();
        y = child("bn2").forward(child("conv2").forward(y));
        if (bottleneck) y = child("bn3").forward(child("conv3").forward(y.relu()));
        Tensor residual = children().containsKey("downsample") ? child("downsample").forward(x) : x;
        return y.add(residual).relu();
    }
}

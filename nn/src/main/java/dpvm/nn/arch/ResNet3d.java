package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.nn.layers.AdaptiveAvgPool;
import dpvm.nn.layers.AvgPool;
import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Conv3d;
import dpvm.nn.layers.Linear;
import dpvm.nn.layers.MaxPool;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

import java.util.Map;

/**
 * Hara et al.'s 3D ResNets and ResNeXt-101 for [N, 3, T, H, W] clips, keys as {@code kenshohara/3D-ResNets-PyTorch}
 * (CVPR2018 branch; the master branch's defaults give the same layers). See {@link ResNet3dConfig} for the
 * choices between the two code generations.
 */
public final class ResNet3d extends Module {
    public final ResNet3dConfig config;

    private static final Map<Integer, int[]> BLOCKS = Map.of(10, new int[] {1, 1, 1, 1}, 18, new int[] {2, 2, 2, 2}, 34, new int[] {3, 4, 6, 3},
            50, new int[] {3, 4, 6, 3}, 101, new int[] {3, 4, 23, 3}, 152, new int[] {3, 8, 36, 3}, 200, new int[] {3, 24, 36, 3});

    public ResNet3d(ResNet3dConfig c, Rng rng) {
        this.config = c;
        int[] blocks = BLOCKS.get(c.depth());
        if (blocks == null) throw new IllegalArgumentException("3D ResNet: no depth " + c.depth() + " (10, 18, 34, 50, 101, 152, 200)");
        boolean bottleneck = c.depth() >= 50;
        boolean resnext = c.cardinality() > 0;
        if (resnext && !bottleneck) throw new IllegalArgumentException("ResNeXt needs a bottleneck depth (50 or more)");
        int[] planes = new int[4];
        for (int i = 0; i < 4; i++) planes[i] = (int) ((resnext ? 128 << i : 64 << i) * c.widen());
        int stem = (int) (64 * c.widen());
        int t = c.conv1TimeSize();
        registerModule("conv1", new Conv3d(c.inChannels(), stem, new int[] {t, 7, 7}, new int[] {c.conv1TimeStride(), 2, 2}, new int[] {t / 2, 3, 3}, false, rng));
        registerModule("bn1", BatchNorm.of3d(stem));
        int in = stem;
        for (int l = 0; l < 4; l++) {
            Sequential layer = new Sequential();
            for (int b = 0; b < blocks[l]; b++) {
                int stride = b == 0 && l > 0 ? 2 : 1;
                HaraBlock block;
                int out;
                if (!bottleneck) {
                    out = planes[l];
                    block = HaraBlock.basic(in, out, stride, c.shortcut(), rng);
                } else if (resnext) {
                    out = planes[l] * 2;
                    block = HaraBlock.bottleneck(in, c.cardinality() * (planes[l] / 32), out, stride, c.cardinality(), c.shortcut(), rng);
                } else {
                    out = planes[l] * 4;
                    block = HaraBlock.bottleneck(in, planes[l], out, stride, 1, c.shortcut(), rng);
                }
                layer.add(block);
                in = out;
            }
            registerModule("layer" + (l + 1), layer);
        }
        if (c.adaptivePool()) {
            registerModule("avgpool", new AdaptiveAvgPool(1, 1, 1));
        } else {
            int lt = (int) Math.ceil(c.sampleDuration() / 16.0), ls = (int) Math.ceil(c.sampleSize() / 32.0);
            registerModule("avgpool", AvgPool.of3d(new int[] {lt, ls, ls}, new int[] {1, 1, 1}));
        }
        registerModule("fc", new Linear(in, c.numClasses(), true, rng));
    }

    public int featureDim() {
        return ((Linear) child("fc")).inFeatures;
    }

    /** The pooled pre-fc vector [N, featureDim] (the video feature of the feature-extraction repo). */
    public Tensor features(Tensor x) {
        Tensor y = child("bn1").forward(child("conv1").forward(x)).relu();
        if (!config.noMaxPool()) y = MaxPool.of3d(3, 2, 1).forward(y);
        for (int l = 1; l <= 4; l++) y = child("layer" + l).forward(y);
        return child("avgpool").forward(y).flatten(1, -1);
    }

    @Override
    public Tensor forward(Tensor x) {
        return child("fc").forward(features(x));
    }
}

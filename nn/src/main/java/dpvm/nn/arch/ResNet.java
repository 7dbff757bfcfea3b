package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.nn.layers.AdaptiveAvgPool;
import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Conv2d;
import dpvm.nn.layers.Linear;
import dpvm.nn.layers.MaxPool;
import dpvm.tensor.Autograd;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torchvision's 2D ResNet (v1.5: the stride sits on the bottleneck's 3x3 conv) with its keys, plus what the audio
 * path needs: any number of input channels ({@code conv1.weight [64, C, 7, 7]}) and optional squeeze-excitation
 * in every block after the last BN, before the residual add.
 */
public final class ResNet extends Module {
    /** Where SE goes and how its keys read: none, senet.pytorch's {@code se.fc.0/2}, or timm/Cadene-style {@code se.fc1/fc2}. */
    public enum Se { NONE, LINEAR, CONV }

    public final boolean bottleneck;

    public ResNet(int[] blocks, boolean bottleneck, int inChannels, int numClasses, Se se, int seReduction, Rng rng) {
        this.bottleneck = bottleneck;
        registerModule("conv1", new Conv2d(inChannels, 64, 7, 2, 3, false, rng));
        registerModule("bn1", BatchNorm.of2d(64));
        registerModule("maxpool", MaxPool.of2d(3, 2, 1));
        int in = 64;
        for (int l = 0; l < 4; l++) {
            int planes = 64 << l;
            Sequential layer = new Sequential();
            for (int b = 0; b < blocks[l]; b++) {
                int stride = b == 0 && l > 0 ? 2 : 1;
                ResNetBlock block = new ResNetBlock(in, planes, stride, bottleneck, se, seReduction, rng);
                layer.add(block);
                in = block.outChannels;
            }
            registerModule("layer" + (l + 1), layer);
        }
        registerModule("avgpool", new AdaptiveAvgPool(1, 1));
        registerModule("fc", new Linear(in, numClasses, true, rng));
    }

    public static ResNet resnet101(int inChannels, int numClasses, Se se, Rng rng) {
        return new ResNet(new int[] {3, 4, 23, 3}, true, inChannels, numClasses, se, 16, rng);
    }

    public static ResNet resnet50(int inChannels, int numClasses, Se se, Rng rng) {
        return new ResNet(new int[] {3, 4, 6, 3}, true, inChannels, numClasses, se, 16, rng);
    }

    public static ResNet resnet18(int inChannels, int numClasses, Rng rng) {
        return new ResNet(new int[] {2, 2, 2, 2}, false, inChannels, numClasses, Se.NONE, 16, rng);
    }

    /**
     * An RGB checkpoint for a 1-channel model: {@code conv1.weight [64, 3, 7, 7]} summed over its input dim, as
     * timm's adapt_input_conv does for one channel (the same as feeding the gray image three times).
     */
    public static Map<String, Tensor> sumConv1ToOneChannel(Map<String, Tensor> rgb) {
        Map<String, Tensor> out = new LinkedHashMap<>(rgb);
        Tensor w = rgb.get("conv1.weight");
        if (w == null || w.rank() != 4) throw new IllegalArgumentException("sumConv1ToOneChannel: no 4-d conv1.weight in the state dict");
        out.put("conv1.weight", Autograd.noGrad(() -> w.sum(1, true)));
        return out;
    }

    public int featureDim() {
        return ((Linear) child("fc")).inFeatures;
    }

    /** The pooled vector before fc [N, 2048] (512 for basic blocks). */
    public Tensor features(Tensor x) {
        Tensor y = child("bn1").forward(child("conv1").forward(x)).relu();
        y = child("maxpool").forward(y);
        for (int l = 1; l <= 4; l++) y = child("layer" + l).forward(y);
        return child("avgpool").forward(y).flatten(1, -1);
    }

    @Override
    public Tensor forward(Tensor x) {
        return child("fc").forward(features(x));
    }
}

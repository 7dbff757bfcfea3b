package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.nn.layers.BatchNorm;
import dpvm.nn.layers.Conv2d;
import dpvm.nn.layers.SqueezeExcitation;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * torchvision's BasicBlock (conv1 3x3 strided, conv2 3x3) or Bottleneck (conv1 1x1, conv2 3x3 strided, conv3 1x1
 * to 4x planes), each conv followed by its BN; optional {@code se} on the block output before the residual add.
 */
final class ResNetBlock extends Module {
    final int outChannels;
    private final boolean bottleneck;

    ResNetBlock(int in, int planes, int stride, boolean bottleneck, ResNet.Se se, int reduction, Rng rng) {
        this.bottleneck = bottleneck;
        this.outChannels = bottleneck ? planes * 4 : planes;
        if (bottleneck) {
            registerModule("conv1", new Conv2d(in, planes, 1, 1, 0, false, rng));
            registerModule("bn1", BatchNorm.of2d(planes));
            registerModule("conv2", new Conv2d(planes, planes, 3, stride, 1, false, rng));
            registerModule("bn2", BatchNorm.of2d(planes));
            registerModule("conv3", new Conv2d(planes, outChannels, 1, 1, 0, false, rng));
            registerModule("bn3", BatchNorm.of2d(outChannels));
        } else {
            registerModule("conv1", new Conv2d(in, planes, 3, stride, 1, false, rng));
            registerModule("bn1", BatchNorm.of2d(planes));
            registerModule("conv2", new Conv2d(planes, planes, 3, 1, 1, false, rng));
            registerModule("bn2", BatchNorm.of2d(planes));
        }
        if (se != ResNet.Se.NONE) {
            SqueezeExcitation.Style style = se == ResNet.Se.LINEAR ? SqueezeExcitation.Style.LINEAR : SqueezeExcitation.Style.CONV;
            registerModule("se", new SqueezeExcitation(outChannels, outChannels / reduction, style, rng));
        }
        if (stride != 1 || in != outChannels) {
            registerModule("downsample", new Sequential(new Conv2d(in, outChannels, 1, stride, 0, false, rng), BatchNorm.of2d(outChannels)));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = child("bn1").forward(child("conv1").forward(x)).relu();
        y = child("bn2").forward(child("conv2").forward(y));
        if (bottleneck) y = child("bn3").forward(child("conv3").forward(y.relu()));
        if (children().containsKey("se")) y = child("se").forward(y);
        Tensor r = children().containsKey("downsample") ? child("downsample").forward(x) : x;
        return y.add(r).relu();
    }
}

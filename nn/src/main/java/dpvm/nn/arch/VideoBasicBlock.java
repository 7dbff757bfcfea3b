package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.nn.layers.Activation;
import dpvm.nn.layers.BatchNorm;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * torchvision's video BasicBlock: {@code conv1} = Sequential(conv, BN, ReLU), {@code conv2} = Sequential(conv,
 * BN), optional {@code downsample} = Sequential(1x1x1 conv, BN), add, ReLU. A (2+1)D conv is itself a
 * Sequential(spatial 1x3x3, BN(mid), ReLU, temporal 3x1x1) whose mid width comes once from the block's inplanes.
 */
final class VideoBasicBlock extends Module {
    VideoBasicBlock(int in, int planes, int stride, VideoResNet.ConvKind kind, Rng rng) {
        int mid = (in * planes * 27) / (in * 9 + 3 * planes);
        registerModule("conv1", new Sequential(conv(kind, in, planes, mid, stride, rng), BatchNorm.of3d(planes), Activation.relu()));
        registerModule("conv2", new Sequential(conv(kind, planes, planes, mid, 1, rng), BatchNorm.of3d(planes)));
        if (stride != 1 || in != planes) {
            int[] ds = kind == VideoResNet.ConvKind.NO_TEMPORAL ? new int[] {1, stride, stride} : new int[] {stride, stride, stride};
            registerModule("downsample", new Sequential(VideoResNet.conv(in, planes, new int[] {1, 1, 1}, ds, new int[] {0, 0, 0}, rng), BatchNorm.of3d(planes)));
        }
    }

    private static Module conv(VideoResNet.ConvKind kind, int in, int out, int mid, int s, Rng rng) {
        return switch (kind) {
            case SIMPLE -> VideoResNet.conv(in, out, new int[] {3, 3, 3}, new int[] {s, s, s}, new int[] {1, 1, 1}, rng);
            case NO_TEMPORAL -> VideoResNet.conv(in, out, new int[] {1, 3, 3}, new int[] {1, s, s}, new int[] {0, 1, 1}, rng);
            case TWO_PLUS_ONE -> new Sequential(VideoResNet.conv(in, mid, new int[] {1, 3, 3}, new int[] {1, s, s}, new int[] {0, 1, 1}, rng), BatchNorm.of3d(mid), Activation.relu(),
                    VideoResNet.conv(mid, out, new int[] {3, 1, 1}, new int[] {s, 1, 1}, new int[] {1, 0, 0}, rng));
        };
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = child("conv2").forward(child("conv1").forward(x));
        Tensor r = children().containsKey("downsample") ? child("downsample").forward(x) : x;
        return y.add(r).relu();
    }
}

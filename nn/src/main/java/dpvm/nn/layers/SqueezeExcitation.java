package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.tensor.Functional;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * Squeeze-and-excitation (Hu et al.): global mean over the spatial dims, bottleneck C -> mid -> C with ReLU, a
 * sigmoid gate, channel-wise scaling. Two checkpoint layouts: {@link Style#LINEAR} is senet.pytorch's
 * {@code fc.0, fc.2} Linear layers without bias; {@link Style#CONV} is the {@code fc1, fc2} 1x1 convolutions with
 * bias of torchvision, timm and Cadene (2-d inputs only).
 */
public class SqueezeExcitation extends Module {
    public enum Style { LINEAR, CONV }

    private final Style style;

    public SqueezeExcitation(int channels, int mid, Style style, Rng rng) {
        this.style = style;
        if (style == Style.LINEAR) {
            registerModule("fc", new Sequential(new Linear(channels, mid, false, rng), Activation.relu(), new Linear(mid, channels, false, rng), Activation.sigmoid()));
        } else {
            registerModule("fc1", new Conv2d(channels, mid, 1, 1, 0, true, rng));
            registerModule("fc2", new Conv2d(mid, channels, 1, 1, 0, true, rng));
        }
    }

    /** senet.pytorch's choice: reduction 16, Linear without bias. */
    public static SqueezeExcitation senet(int channels, Rng rng) {
        return new SqueezeExcitation(channels, channels / 16, Style.LINEAR, rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] spatial = new int[x.rank() - 2];
        for (int i = 0; i < spatial.length; i++) spatial[i] = i + 2;
        Tensor s = Functional.mean(x, spatial, true);
        Tensor gate;
        if (style == Style.LINEAR) {
            gate = child("fc").forward(s.flatten(1, -1));
            int[] shape = x.shape();
            for (int i = 2; i < shape.length; i++) shape[i] = 1;
            gate = gate.reshape(shape);
        } else {
            gate = child("fc2").forward(Functional.relu(child("fc1").forward(s))).sigmoid();
        }
        return x.mul(gate);
    }
}

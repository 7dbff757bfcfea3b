package dpvm.nn.layers;

import dpvm.nn.Module;
import dpvm.tensor.Functional;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

import java.util.Arrays;

/**
 * Convolution over 1 to 3 spatial dims with {@code weight [out, in/groups, k...]} and optional {@code bias [out]},
 * initialised as torch.nn.ConvNd. The subclasses only fix the number of spatial dims.
 */
public class ConvNd extends Module {
    public final int inChannels, outChannels, groups;
    private final int[] kernel, stride, padding, dilation;

    public ConvNd(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias, Rng rng) {
        int d = kernel.length;
        if (stride.length != d || padding.length != d || dilation.length != d) throw new IllegalArgumentException("conv: kernel, stride, padding and dilation need " + d + " values each");
        if (groups < 1 || in % groups != 0 || out % groups != 0) throw new IllegalArgumentException("conv: channels " + in + "->" + out + " are not divisible by groups=" + groups);
        this.inChannels = in;
        this.outChannels = out;
        this.groups = groups;
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        int[] shape = new int[d + 2];
        shape[0] = out;
        shape[1] = in / groups;
        System.arraycopy(kernel, 0, shape, 2, d);
        registerParameter("weight", Inits.defaultWeight(shape, rng));
        if (bias) registerParameter("bias", Inits.defaultBias(shape, out, rng));
    }

    static int[] rep(int v, int n) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    public int[] kernel() { return kernel.clone(); }
    public int[] stride() { return stride.clone(); }
    public int[] padding() { return padding.clone(); }

    public Tensor weight() {
        return param("weight");
    }

    public Tensor bias() {
        return hasParam("bias") ? param("bias") : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.conv(x, weight(), bias(), stride, padding, dilation, groups);
    }
}

package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.tensor.Ops;
import dpvm.tensor.Tensor;

/**
 * Hara et al.'s parameter-free shortcut A: {@code avg_pool3d(x, kernel 1, stride s)}, i.e. every s-th element
 * in T, H and W, then zero channels appended after the existing ones up to {@code outChannels}. (The CVPR2018
 * code concatenates {@code out.data}, which also cuts the gradient through this path; here it flows, which only
 * matters when fine-tuning.)
 */
public final class ShortcutA extends Module {
    private final int outChannels, stride;

    public ShortcutA(int outChannels, int stride) {
        this.outChannels = outChannels;
        this.stride = stride;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        if (stride != 1) {
            for (int d = 2; d < x.rank(); d++) y = y.slice(d, 0, y.size(d), stride);
        }
        int missing = outChannels - y.size(1);
        if (missing <= 0) return y;
        int[] zshape = y.shape();
        zshape[1] = missing;
        return Ops.cat(new Tensor[] {y, Tensor.zeros(zshape, y.dtype(), y.device())}, 1);
    }
}

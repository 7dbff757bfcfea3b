package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/** HuggingFace's encoder: layers under {@code layer.0, layer.1, ...}. */
public final class VivitEncoder extends Module {
    public VivitEncoder(VivitConfig c, int layers, Rng rng) {
        Sequential list = new Sequential();
        for (int i = 0; i < layers; i++) list.add(new VivitLayer(c, rng));
        registerModule("layer", list);
    }

    @Override
    public Tensor forward(Tensor h) {
        return child("layer").forward(h);
    }
}

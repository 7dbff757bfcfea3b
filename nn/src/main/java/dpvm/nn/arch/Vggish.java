package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.nn.Sequential;
import dpvm.nn.layers.Activation;
import dpvm.nn.layers.Conv2d;
import dpvm.nn.layers.Linear;
import dpvm.nn.layers.MaxPool;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

/**
 * VGGish over log-mel examples [N, 1, 96, 64]: six 3x3 convs with ReLU and four 2x2 max-pools to [N, 512, 6, 4],
 * flattened in NHWC order (as TF did), then 12288 -> 4096 -> 4096 -> 128. Keys are torchvggish's
 * ({@code features.*, embeddings.*}) or torchaudio's ({@code features_network.*, embedding_network.*}). The ReLU
 * after the 128-d layer is optional (torchvggish/torchaudio apply it; current TF does not), and so is the PCA
 * post-processor ({@code pproc.*}).
 */
public final class Vggish extends Module {
    public enum Keys { TORCHVGGISH, TORCHAUDIO }

    private final String features, embeddings;
    private final boolean postprocess;

    public Vggish(Keys keys, boolean finalRelu, boolean postprocess, VggishPostprocessor.Rounding rounding, Rng rng) {
        this.features = keys == Keys.TORCHVGGISH ? "features" : "features_network";
        this.embeddings = keys == Keys.TORCHVGGISH ? "embeddings" : "embedding_network";
        this.postprocess = postprocess;
        int[] widths = {64, -1, 128, -1, 256, 256, -1, 512, 512, -1};
        Sequential f = new Sequential();
        int in = 1;
        for (int w : widths) {
            if (w < 0) {
                f.add(MaxPool.of2d(2, 2, 0));
            } else {
                f.add(new Conv2d(in, w, 3, 1, 1, true, rng));
                f.add(Activation.relu());
                in = w;
            }
        }
        registerModule(features, f);
        Sequential e = new Sequential(new Linear(512 * 4 * 6, 4096, true, rng), Activation.relu(), new Linear(4096, 4096, true, rng), Activation.relu(),
                new Linear(4096, 128, true, rng));
        if (finalRelu) e.add(Activation.relu());
        registerModule(embeddings, e);
        if (postprocess) registerModule("pproc", new VggishPostprocessor(rounding));
    }

    /** torchvggish's model: its key names, final ReLU, no post-processor. */
    public static Vggish torchvggish(Rng rng) {
        return new Vggish(Keys.TORCHVGGISH, true, false, VggishPostprocessor.Rounding.HALF_EVEN, rng);
    }

    /** The 128-d embeddings (before any post-processing). */
    public Tensor embed(Tensor x) {
        Tensor y = child(features).forward(x);
        y = y.permute(0, 2, 3, 1).flatten(1, -1);
        return child(embeddings).forward(y);
    }

    /** Embeddings, then the PCA/quantise step when configured. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor e = embed(x);
        return postprocess ? child("pproc").forward(e) : e;
    }
}

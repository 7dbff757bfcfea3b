package dpvm.nn.arch;

import dpvm.nn.Module;
import dpvm.tensor.Autograd;
import dpvm.tensor.Functional;
import dpvm.tensor.Tensor;

/**
 * The AudioSet release's PCA whitening and 8-bit quantisation of VGGish embeddings: E (x^T - mu), transposed,
 * clipped to [-2, 2], mapped to [0, 255] by (x + 2) * 255 / 4 and rounded. Buffers {@code pca_eigen_vectors
 * [128, 128]} and {@code pca_means [128, 1]} as torchvggish names them. Not differentiable.
 */
public final class VggishPostprocessor extends Module {
    /** torchvggish rounds half to even (torch.round); TF's astype(uint8) truncates. */
    public enum Rounding { HALF_EVEN, TRUNCATE }

    private final Rounding rounding;

    public VggishPostprocessor(Rounding rounding) {
        this.rounding = rounding;
        registerBuffer("pca_eigen_vectors", Tensor.zeros(128, 128));
        registerBuffer("pca_means", Tensor.zeros(128, 1));
    }

    @Override
    public Tensor forward(Tensor embeddings) {
        return Autograd.noGrad(() -> {
            Tensor e = buffer("pca_eigen_vectors").cast(embeddings.dtype());
            Tensor mu = buffer("pca_means").cast(embeddings.dtype());
            Tensor pca = e.matmul(embeddings.mT().sub(mu)).mT();
            Tensor scaled = Functional.clamp(pca, -2, 2).add(2).mul(255 / 4.0);
            return round(scaled);
        });
    }

    /** The engine has no rounding primitive; this step ends the graph anyway, so it runs on the host. */
    private Tensor round(Tensor x) {
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = rounding == Rounding.HALF_EVEN ? Math.rint(v[i]) : Math.floor(v[i]);
        return Tensor.of(v, x.shape()).cast(x.dtype()).to(x.device());
    }
}

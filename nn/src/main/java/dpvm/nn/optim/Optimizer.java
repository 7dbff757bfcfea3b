package dpvm.nn.optim;

import dpvm.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * A first-order optimiser over a fixed list of parameters, with one learning rate that schedules may change.
 * Closing it frees its per-parameter state (moments, momentum buffers) at once, which on a GPU returns that
 * memory deterministically; the parameters themselves are not touched.
 */
public interface Optimizer extends AutoCloseable {
    void step();

    List<Tensor> params();

    double learningRate();

    void setLearningRate(double lr);

    default void zeroGrad() {
        for (Tensor p : params()) p.zeroGrad();
    }

    /** Per-parameter state under {@code state.<index>.<name>} keys (PyTorch's names), for checkpoints. */
    Map<String, Tensor> stateDict();

    void loadStateDict(Map<String, Tensor> state);

    /** Frees the optimiser's state; stepping afterwards fails. */
    @Override
    void close();
}

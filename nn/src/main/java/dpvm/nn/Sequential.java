package dpvm.nn;

import java.util.List;

/** Children named 0, 1, 2... applied in order, so its keys match torch.nn.Sequential's ({@code features.3.weight}). */
public class Sequential extends Module {
    private int size;

    public Sequential(Module... layers) {
        for (Module m : layers) add(m);
    }

    public Sequential(List<? extends Module> layers) {
        for (Module m : layers) add(m);
    }

    public Sequential add(Module m) {
        registerModule(Integer.toString(size++), m);
        return this;
    }

    public int size() {
        return size;
    }

    public Module get(int i) {
        return child(Integer.toString(i));
    }

    @Override
    public dpvm.tensor.Tensor forward(dpvm.tensor.Tensor x) {
        for (Module m : children().values()) x = m.forward(x);
        return x;
    }
}

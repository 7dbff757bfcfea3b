package dpvm.nn.layers;

import dpvm.nn.Sequential;
import dpvm.tensor.Rng;

/**
 * torchvision.ops.MLP without norm layers: for each hidden width Linear, activation, Dropout; then the last
 * Linear and Dropout. Children are numbered as torchvision's (0, 3, 6... are the Linear layers).
 */
public class Mlp extends Sequential {
    public Mlp(int in, int[] widths, Activation.Kind act, boolean bias, double dropout, Rng rng) {
        int c = in;
        for (int i = 0; i < widths.length - 1; i++) {
            add(new Linear(c, widths[i], bias, rng));
            add(new Activation(act));
            add(new Dropout(dropout, rng));
            c = widths[i];
        }
        add(new Linear(c, widths[widths.length - 1], bias, rng));
        add(new Dropout(dropout, rng));
    }
}

package dpvm.cli;

import dpvm.nn.optim.Adam;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Functional;
import dpvm.tensor.Init;
import dpvm.tensor.Rng;
import dpvm.tensor.Scope;
import dpvm.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * Trains a small MLP classifier end to end on the engine: interleaved spirals (a data set no linear model can
 * fit), cross-entropy, Adam, mini-batches in scopes. Shows the loss falling and the held-out accuracy rising.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Train a small MLP on generated spirals and report loss and accuracy per epoch.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "30", description = "Passes over the training set (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--classes", defaultValue = "3", description = "Number of spiral arms (default ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--hidden", defaultValue = "64", description = "Hidden width (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for data, weights and batch order (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda[:N] (default ${DEFAULT-VALUE}).")
    String deviceName;

    private Device device;

    @Override
    public Integer call() {
        Rng rng = new Rng(seed);
        device = Device.parse(deviceName);
        Spirals train = Spirals.make(classes, 600, rng).to(device), test = Spirals.make(classes, 200, rng).to(device);
        Tensor w1 = param(Init.kaimingUniform(new int[] {hidden, 2}, Math.sqrt(5), "leaky_relu", true, rng));
        Tensor b1 = param(Tensor.zeros(hidden));
        Tensor w2 = param(Init.kaimingUniform(new int[] {hidden, hidden}, Math.sqrt(5), "leaky_relu", true, rng));
        Tensor b2 = param(Tensor.zeros(hidden));
        Tensor w3 = param(Init.kaimingUniform(new int[] {classes, hidden}, Math.sqrt(5), "leaky_relu", true, rng));
        Tensor b3 = param(Tensor.zeros(classes));
        List<Tensor> params = List.of(w1, b1, w2, b2, w3, b3);
        Adam adam = Adam.of(params, 1e-2);
        int batch = 64, n = train.size();
        System.out.printf("demo: %d-class spirals, %d train / %d test points, MLP 2-%d-%d-%d, Adam lr 1e-2, batch %d, on %s%n",
                classes, n, test.size(), hidden, hidden, classes, batch, device);
        System.out.println("epoch    loss   train-acc  test-acc");
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long[] order = permutation(n, rng);
            double lossSum = 0;
            int batches = 0;
            for (int start = 0; start < n; start += batch) {
                try (Scope step = Scope.open()) {
                    Tensor idx = Tensor.ofLongs(java.util.Arrays.copyOfRange(order, start, Math.min(n, start + batch)), Math.min(batch, n - start)).to(device);
                    Tensor x = Functional.indexSelect(train.points, 0, idx), y = Functional.indexSelect(train.labels, 0, idx);
                    Tensor logits = mlp(x, w1, b1, w2, b2, w3, b3);
                    Tensor loss = Functional.crossEntropy(logits, y, null, 0);
                    adam.zeroGrad();
                    loss.backward();
                    adam.step();
                    lossSum += loss.item();
                    batches++;
                }
            }
            System.out.printf("%5d  %7.4f  %8.1f%%  %7.1f%%%n", epoch, lossSum / batches,
                    100 * accuracy(train, params), 100 * accuracy(test, params));
        }
        return 0;
    }

    private Tensor param(Tensor t) {
        return t.to(device).detach().requiresGrad(true);
    }

    static Tensor mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor w3, Tensor b3) {
        Tensor h = Functional.linear(x, w1, b1).relu();
        h = Functional.linear(h, w2, b2).relu();
        return Functional.linear(h, w3, b3);
    }

    private static double accuracy(Spirals data, List<Tensor> p) {
        try (Scope s = Scope.open(); AutoCloseable ignored = dpvm.tensor.Autograd.noGrad()) {
            Tensor pred = mlp(data.points, p.get(0), p.get(1), p.get(2), p.get(3), p.get(4), p.get(5)).argmax(1, false);
            return pred.eq(data.labels).cast(DType.FLOAT32).mean().item();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long[] permutation(int n, Rng rng) {
        float[] keys = rng.uniform(new int[] {n}, DType.FLOAT32, Device.CPU).toFloatArray();
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(keys[a], keys[b]));
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = idx[i];
        return out;
    }

    /** Points on {@code classes} interleaved noisy spiral arms, with their arm as the label. */
    record Spirals(Tensor points, Tensor labels) {
        int size() {
            return labels.numel();
        }

        Spirals to(Device d) {
            return new Spirals(points.to(d), labels.to(d));
        }

        static Spirals make(int classes, int perClass, Rng rng) {
            int n = classes * perClass;
            float[] noise = rng.normal(new int[] {n}, DType.FLOAT32, Device.CPU).toFloatArray();
            float[] xy = new float[2 * n];
            long[] y = new long[n];
            for (int c = 0, i = 0; c < classes; c++) {
                for (int k = 0; k < perClass; k++, i++) {
                    double r = (double) k / perClass;
                    double theta = c * 2 * Math.PI / classes + 4 * r + 0.2 * noise[i];
                    xy[2 * i] = (float) (r * Math.sin(theta));
                    xy[2 * i + 1] = (float) (r * Math.cos(theta));
                    y[i] = c;
                }
            }
            return new Spirals(Tensor.of(xy, n, 2), Tensor.ofLongs(y, n));
        }
    }
}

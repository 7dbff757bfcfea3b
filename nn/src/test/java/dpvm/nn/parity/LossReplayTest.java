package dpvm.nn.parity;

import dpvm.nn.loss.ContrastiveLoss;
import dpvm.nn.loss.CrossEntropyLoss;
import dpvm.nn.loss.Distances;
import dpvm.nn.loss.MseLoss;
import dpvm.nn.loss.Reduction;
import dpvm.nn.loss.TripletMarginLoss;
import dpvm.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/** Replays the loss fixtures: value and gradients of the differentiable inputs. */
class LossReplayTest {
    record Case(String name, int inputs, Function<Tensor[], Tensor> fn) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("loss_cross_entropy", 2, x -> new CrossEntropyLoss().apply(x[0], x[1])),
                new Case("loss_mse", 2, x -> new MseLoss().apply(x[0], x[1])),
                new Case("loss_cosine_distance", 2, x -> Distances.cosine(x[0], x[1])),
                new Case("loss_contrastive", 3, x -> new ContrastiveLoss(1.5).apply(x[0], x[1], x[2])),
                new Case("loss_triplet", 3, x -> new TripletMarginLoss(1).apply(x[0], x[1], x[2])),
                new Case("loss_triplet_swap", 3, x -> new TripletMarginLoss(1, 2, 1e-6, true, Reduction.MEAN).apply(x[0], x[1], x[2])));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void replay(Case c) {
        Map<String, Tensor> f = Fixtures.load(c.name);
        Tensor[] xs = new Tensor[c.inputs];
        for (int i = 0; i < xs.length; i++) {
            Tensor t = Fixtures.get(f, "input." + i).detach();
            xs[i] = f.containsKey("grad.input." + i) ? t.requiresGrad(true) : t;
        }
        Tensor y = c.fn.apply(xs);
        Fixtures.close(c.name, Fixtures.get(f, "output"), y, Fixtures.LAYER);
        y.mul(Fixtures.get(f, "upstream")).sum().backward();
        for (int i = 0; i < xs.length; i++) {
            if (f.containsKey("grad.input." + i)) Fixtures.close(c.name + " gradient " + i, f.get("grad.input." + i), xs[i].grad(), Fixtures.LAYER);
        }
    }
}

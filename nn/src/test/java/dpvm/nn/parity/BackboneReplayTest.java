package dpvm.nn.parity;

import dpvm.nn.Module;
import dpvm.nn.arch.ResNet;
import dpvm.nn.arch.ResNet3d;
import dpvm.nn.arch.ResNet3dConfig;
import dpvm.nn.arch.VideoResNet;
import dpvm.nn.arch.Vggish;
import dpvm.nn.arch.Vivit;
import dpvm.nn.arch.VivitConfig;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Replays the backbone fixtures: eval-mode forward of the full-width models on small inputs. */
class BackboneReplayTest {
    record Case(String name, Supplier<Module> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Rng RNG = new Rng(0);

    static VivitConfig tinyVivit() {
        return VivitConfig.base().resized(32, 4, new int[] {2, 16, 16}, 64, 2, 4, 128, true);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("hara_resnet18_a", () -> new ResNet3d(ResNet3dConfig.resnet(18, 400).withSample(32, 8), RNG)),
                new Case("hara_resnet50_b", () -> new ResNet3d(ResNet3dConfig.resnet(50, 400).withSample(32, 8), RNG)),
                new Case("hara_resnext101", () -> new ResNet3d(ResNet3dConfig.resnext101(400).withSample(32, 8), RNG)),
                new Case("r3d_18", () -> VideoResNet.r3d18(400, RNG)),
                new Case("mc3_18", () -> VideoResNet.mc318(400, RNG)),
                new Case("r2plus1d_18", () -> VideoResNet.r2plus1d18(400, RNG)),
                new Case("vggish", () -> Vggish.torchvggish(RNG)),
                new Case("resnet101", () -> ResNet.resnet101(3, 1000, ResNet.Se.NONE, RNG)),
                new Case("se_resnet50_1ch", () -> ResNet.resnet50(1, 10, ResNet.Se.LINEAR, RNG)),
                new Case("vivit_tiny", () -> new Vivit(tinyVivit(), RNG)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void replay(Case c) {
        Map<String, Tensor> f = Fixtures.load(c.name);
        Module m = c.make.get();
        ParityWeights.fill(m);
        m.eval();
        Tensor x = Fixtures.get(f, "input.0");
        try (AutoCloseable ignored = dpvm.tensor.Autograd.noGrad()) {
            Tensor y = m.forward(x);
            System.out.println("parity " + c.name + ": " + Fixtures.error(Fixtures.get(f, "output"), y));
            Fixtures.close(c.name, Fixtures.get(f, "output"), y, Fixtures.DEEP);
            if (m instanceof Vivit v) Fixtures.close(c.name + " pooled", Fixtures.get(f, "output.pooled"), v.pooled(x), Fixtures.DEEP);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

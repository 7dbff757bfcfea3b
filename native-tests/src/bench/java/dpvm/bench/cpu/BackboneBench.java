package dpvm.bench.cpu;

import dpvm.nn.Module;
import dpvm.nn.arch.ResNet;
import dpvm.nn.arch.ResNet3d;
import dpvm.nn.arch.ResNet3dConfig;
import dpvm.nn.arch.Vggish;
import dpvm.nn.arch.Vivit;
import dpvm.nn.arch.VivitConfig;
import dpvm.tensor.Autograd;
import dpvm.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Inference time of each DPVM backbone at the paper's input size, eval mode, no graph (engine only: the peer
 * for these is PyTorch on the GPU machine). Inputs: one 16x112x112 clip for the 3D ResNet-101, 16 key frames at
 * 224x224 for ViViT-B, the 15 VGGish examples of a 15 s clip, and the 20x646 MFCC matrix of 15 s at 22.05 kHz for
 * the SE-ResNet-101.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.ENGINE_THREADS, Jvm.HEAP})
@State(Scope.Benchmark)
public class BackboneBench {
    /** Named {@code shape} so that the report keys rows by it like the other benchmarks. */
    @Param({"r3d101", "vivit_b", "vggish", "se_resnet101_mfcc"})
    public String shape;

    private Function<Tensor, Tensor> forward;
    private Tensor input;

    static String label(String shape) {
        return switch (shape) {
            case "r3d101" -> "3D ResNet-101 forward, 1x3x16x112x112";
            case "vivit_b" -> "ViViT-B/16x2 forward, 16 key frames 224x224";
            case "vggish" -> "VGGish forward, 15 examples 96x64 (15 s)";
            case "se_resnet101_mfcc" -> "SE-ResNet-101 forward, MFCC 1x20x646 (15 s)";
            default -> throw new IllegalArgumentException("unknown backbone " + shape);
        };
    }

    @Setup
    public void build() {
        dpvm.tensor.Rng rng = new dpvm.tensor.Rng(3);
        Module m;
        switch (shape) {
            case "r3d101" -> {
                ResNet3d net = new ResNet3d(ResNet3dConfig.resnet(101, 600), rng);
                m = net;
                forward = net::features;
                input = Tensor.of(Data.uniform(1, 3 * 16 * 112 * 112, 1f), 1, 3, 16, 112, 112);
            }
            case "vivit_b" -> {
                Vivit net = new Vivit(VivitConfig.base().resized(224, 16, new int[] {2, 16, 16}, 768, 12, 12, 3072, false), rng);
                m = net;
                forward = net::cls;
                input = Tensor.of(Data.uniform(2, 16 * 3 * 224 * 224, 1f), 1, 16, 3, 224, 224);
            }
            case "vggish" -> {
                Vggish net = Vggish.torchvggish(rng);
                m = net;
                forward = net::embed;
                input = Tensor.of(Data.uniform(3, 15 * 96 * 64, 1f), 15, 1, 96, 64);
            }
            case "se_resnet101_mfcc" -> {
                ResNet net = ResNet.resnet101(1, 8, ResNet.Se.LINEAR, rng);
                m = net;
                forward = net::features;
                input = Tensor.of(Data.uniform(4, 20 * 646, 1f), 1, 1, 20, 646);
            }
            default -> throw new IllegalArgumentException("unknown backbone " + shape);
        }
        m.eval();
    }

    @Benchmark
    public int engine() {
        try (dpvm.tensor.Scope s = dpvm.tensor.Scope.open()) {
            return Autograd.noGrad(() -> forward.apply(input)).numel();
        }
    }
}

package dpvm.nativetests;

import dpvm.nn.Module;
import dpvm.nn.arch.ResNet;
import dpvm.nn.arch.ResNet3d;
import dpvm.nn.arch.ResNet3dConfig;
import dpvm.nn.arch.VideoResNet;
import dpvm.nn.arch.Vivit;
import dpvm.nn.arch.VivitConfig;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Scope;
import dpvm.tensor.Tensor;
import dpvm.tensor.check.Tolerance;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole backbones, small, forward and backward in training mode on the CPU and on the GPU with the same weights
 * and inputs: outputs, every parameter gradient and the batch-norm statistics agree. In float64: at test sizes
 * the last stages' batch norm sees a handful of values per channel, which makes a deep float32 comparison
 * ill-conditioned (a 1e-7 difference grows to 1e-2); in float64 any logic difference still shows plainly, and
 * rounding does not. The op tests cover float32 and TF32 precision one primitive at a time. Where the op tests check primitives one at a time,
 * this checks the layers built from them (batch norm statistics, attention, pooling, squeeze-excitation,
 * strided and factorised 3D convolutions, 2D convolutions) in the order a training step runs them. VGGish is
 * left out: plain convolutions, pooling and linear layers, all covered here, at a cost of a minute on the CPU.
 */
class BackboneParity extends GpuChecks {

    /** Relative L2 error allowed: float64 end to end, reductions in another order, amplified by batch norm. */
    static final double REL_L2 = 1e-6;

    @Test
    void resnet3dWithBottlenecks() {
        check("resnet3d-50/8", () -> new ResNet3d(ResNet3dConfig.resnet(50, 3).withWiden(0.125).withSample(32, 8), new Rng(1)), 2, 3, 8, 32, 32);
    }

    @Test
    void resnet3dBasic() {
        check("resnet3d-18/8", () -> new ResNet3d(ResNet3dConfig.resnet(18, 5).withWiden(0.125).withSample(32, 8), new Rng(2)), 2, 3, 8, 32, 32);
    }

    @Test
    void r2plus1dFactorisedConvolutions() {
        check("r2plus1d_18", () -> VideoResNet.r2plus1d18(4, new Rng(3)), 2, 3, 2, 16, 16);
    }

    @Test
    void resnetWithSqueezeExcitationOnMfcc() {
        check("resnet-se", () -> new ResNet(new int[] {1, 1, 1, 1}, true, 1, 4, ResNet.Se.LINEAR, 16, new Rng(4)), 2, 1, 16, 16);
    }

    @Test
    void vivit() {
        check("vivit", () -> new Vivit(VivitConfig.base().resized(16, 4, new int[] {2, 4, 4}, 32, 2, 4, 64, true), new Rng(6)), 2, 4, 3, 16, 16);
    }

    /** Builds the model twice from one seed, runs a training-mode step on each device, compares. */
    private static void check(String name, Supplier<Module> build, int... inputShape) {
        long t0 = System.nanoTime();
        Module cpu = build.get().cast(DType.FLOAT64).train(true), gpu = build.get().cast(DType.FLOAT64).train(true).to(GPU);
        Tensor x = new Rng(11).uniform(inputShape, DType.FLOAT64, Device.CPU).mul(2).sub(1);
        try (Scope s = Scope.open()) {
            Tensor yc = cpu.forward(x), yg = gpu.forward(x.to(GPU));
            assertEquals(java.util.Arrays.toString(yc.shape()), java.util.Arrays.toString(yg.shape()), name + " output shape");
            compare(name + " output", yg, yc);
            // a fixed random projection of the output, so every output element gets its own gradient
            Tensor proj = new Rng(12).uniform(yc.shape(), DType.FLOAT64, Device.CPU).sub(0.5);
            yc.mul(proj).sum().backward();
            yg.mul(proj.to(GPU)).sum().backward();
        }
        Map<String, Tensor> pc = cpu.namedParameters(), pg = gpu.namedParameters();
        int compared = 0;
        for (Map.Entry<String, Tensor> e : pc.entrySet()) {
            Tensor gc = e.getValue().grad(), gg = pg.get(e.getKey()).grad();
            if (gc == null) continue;
            assertTrue(gg != null, name + " " + e.getKey() + ": no gradient on the GPU");
            compare(name + " grad " + e.getKey(), gg, gc);
            compared++;
        }
        assertTrue(compared > 0, name + ": no parameter gradients to compare");
        System.out.printf("  %s: output and %d parameter gradients agree (%.1f s)%n", name, compared, (System.nanoTime() - t0) / 1e9);
        // buffers (batch-norm running statistics) move the same way in training mode
        Map<String, Tensor> bc = cpu.namedBuffers(), bg = gpu.namedBuffers();
        for (Map.Entry<String, Tensor> e : bc.entrySet()) {
            if (e.getValue().dtype().isFloating()) compare(name + " buffer " + e.getKey(), bg.get(e.getKey()), e.getValue());
        }
    }

    private static void compare(String what, Tensor gpu, Tensor cpu) {
        double[] g = gpu.toDoubleArray(), c = cpu.toDoubleArray();
        assertEquals(c.length, g.length, what + ": sizes");
        double squaredDiff = 0;
        for (int i = 0; i < c.length; i++) {
            assertTrue(Double.isFinite(g[i]) || !Double.isFinite(c[i]) && Double.compare(g[i], c[i]) == 0, what + ": element " + i + " is " + g[i] + " on the GPU, " + c[i] + " on the CPU");
            squaredDiff += (g[i] - c[i]) * (g[i] - c[i]);
        }
        // relative where the reference has magnitude, absolute (RMS) where it is all but zero
        double rel = Tolerance.relativeL2(g, c);
        assertTrue(rel <= REL_L2 || Math.sqrt(squaredDiff / c.length) < 1e-12, what + ": relative L2 error " + rel + " exceeds " + REL_L2);
    }
}

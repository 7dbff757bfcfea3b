package dpvm.nn.arch;

import dpvm.nn.layers.Inits;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ResNet3dTest {
    private static ResNet3d shapes(ResNet3dConfig c) {
        return Inits.shapesOnly(() -> new ResNet3d(c, new Rng(0)));
    }

    /** Counts by hand: conv1 + bn1, per-block convs and BNs, downsample B, fc. */
    private static long expectedCount(int[] blocks, boolean bottleneck, boolean shortcutB, int classes) {
        long n = 64L * 3 * 343 + 128;
        int in = 64;
        for (int l = 0; l < 4; l++) {
            int p = 64 << l, out = bottleneck ? 4 * p : p;
            for (int b = 0; b < blocks[l]; b++) {
                if (bottleneck) n += (long) in * p + 27L * p * p + (long) p * out + 2 * (2L * p) + 2L * out;
                else n += 27L * in * p + 27L * p * p + 4L * p;
                if (b == 0 && shortcutB && (l > 0 || in != out)) n += (long) in * out + 2L * out;
                in = out;
            }
        }
        return n + (long) in * classes + classes;
    }

    @Test
    void parameterCountsMatchHandCountsAndPublishedSizes() {
        // the hand count is the check; 33.2M (ResNet-18) is the size quoted for the Kinetics release
        Object[][] rows = {{18, new int[] {2, 2, 2, 2}, 33.2}, {34, new int[] {3, 4, 6, 3}, null}, {50, new int[] {3, 4, 6, 3}, null},
                {101, new int[] {3, 4, 23, 3}, null}, {152, new int[] {3, 8, 36, 3}, null}, {200, new int[] {3, 24, 36, 3}, null}};
        List<String> seen = new ArrayList<>();
        for (Object[] r : rows) {
            int depth = (Integer) r[0];
            ResNet3d net = shapes(ResNet3dConfig.resnet(depth, 400));
            long count = net.parameterCount();
            seen.add(depth + ": " + count);
            assertEquals(expectedCount((int[]) r[1], depth >= 50, depth >= 50, 400), count, "depth " + depth);
            if (r[2] != null) assertEquals((Double) r[2], count / 1e6, 0.051, "depth " + depth + " published size");
        }
        System.out.println("3D ResNet parameter counts " + seen);
        assertEquals(expectedCount(new int[] {1, 1, 1, 1}, false, false, 400), shapes(ResNet3dConfig.resnet(10, 400)).parameterCount());
    }

    @Test
    void resnext101KeysAndCount() {
        ResNet3d net = shapes(ResNet3dConfig.resnext101(400));
        Map<String, Tensor> sd = net.stateDict();
        assertArrayEquals(new int[] {128, 64, 1, 1, 1}, sd.get("layer1.0.conv1.weight").shape());
        assertArrayEquals(new int[] {128, 4, 3, 3, 3}, sd.get("layer1.0.conv2.weight").shape(), "groups=32");
        assertArrayEquals(new int[] {256, 128, 1, 1, 1}, sd.get("layer1.0.conv3.weight").shape());
        assertArrayEquals(new int[] {256, 64, 1, 1, 1}, sd.get("layer1.0.downsample.0.weight").shape());
        assertArrayEquals(new int[] {1024, 32, 3, 3, 3}, sd.get("layer4.2.conv2.weight").shape());
        assertArrayEquals(new int[] {400, 2048}, sd.get("fc.weight").shape());
        assertEquals(2048, net.featureDim());
        long count = net.parameterCount();
        System.out.println("3D ResNeXt-101 parameters " + count);
        assertEquals(48.3, count / 1e6, 0.051);
    }

    @Test
    void keyNamesOfResNet18AndShortcutB50() {
        Map<String, Tensor> a = shapes(ResNet3dConfig.resnet(18, 400)).stateDict();
        assertArrayEquals(new int[] {64, 3, 7, 7, 7}, a.get("conv1.weight").shape());
        assertTrue(a.containsKey("bn1.running_var"));
        assertTrue(a.containsKey("layer2.1.bn2.num_batches_tracked"));
        assertFalse(a.keySet().stream().anyMatch(k -> k.contains("downsample")), "shortcut A has no keys");
        Map<String, Tensor> b = shapes(ResNet3dConfig.resnet(50, 700)).stateDict();
        assertArrayEquals(new int[] {256, 64, 1, 1, 1}, b.get("layer1.0.downsample.0.weight").shape());
        assertTrue(b.containsKey("layer1.0.downsample.1.running_mean"));
        assertArrayEquals(new int[] {128, 128, 3, 3, 3}, b.get("layer2.0.conv2.weight").shape());
        assertFalse(b.containsKey("layer1.1.downsample.0.weight"));
        assertArrayEquals(new int[] {700, 2048}, b.get("fc.weight").shape());
        assertEquals(List.of("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight"),
                List.copyOf(b.keySet()).subList(0, 7));
    }

    @Test
    void reducedForwardShapes() {
        ResNet3d r18 = new ResNet3d(ResNet3dConfig.resnet(18, 5).withWiden(0.125).withSample(32, 16), new Rng(1));
        r18.eval();
        Tensor x = new Rng(2).uniform(new int[] {1, 3, 16, 32, 32}, dpvm.tensor.DType.FLOAT32, dpvm.tensor.Device.CPU);
        assertArrayEquals(new int[] {1, 64}, r18.features(x).shape());
        assertArrayEquals(new int[] {1, 5}, r18.forward(x).shape());

        ResNet3dConfig small = new ResNet3dConfig(50, HaraBlock.Shortcut.B, 4, 3, 3, 7, 1, false, true, 32, 8, 0.25);
        ResNet3d rx = new ResNet3d(small, new Rng(1));
        rx.eval();
        assertArrayEquals(new int[] {2, 512}, rx.features(new Rng(3).uniform(new int[] {2, 3, 8, 32, 32}, dpvm.tensor.DType.FLOAT32, dpvm.tensor.Device.CPU)).shape());

        ResNet3d a50 = new ResNet3d(ResNet3dConfig.resnet(50, 2).withShortcut(HaraBlock.Shortcut.A).withWiden(0.125).withAdaptivePool(true), new Rng(1));
        Tensor y = a50.forward(new Rng(4).uniform(new int[] {2, 3, 4, 16, 16}, dpvm.tensor.DType.FLOAT32, dpvm.tensor.Device.CPU));
        assertArrayEquals(new int[] {2, 2}, y.shape());
        y.sum().backward();
        assertNotNull(a50.stateDict().get("conv1.weight").grad());
    }

    @Test
    void shortcutAStridesAndPadsChannels() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 1, 2, 2, 2);
        Tensor y = new ShortcutA(3, 2).forward(x);
        assertArrayEquals(new int[] {1, 3, 1, 1, 1}, y.shape());
        assertArrayEquals(new float[] {1, 0, 0}, y.toFloatArray());
    }
}

package dpvm.nn.arch;

import dpvm.nn.layers.Inits;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class VideoResNetTest {
    @Test
    void publishedParameterCounts() {
        // torchvision weights meta: r3d_18 33,371,472; r2plus1d_18 31,505,325
        assertEquals(33_371_472L, Inits.shapesOnly(() -> VideoResNet.r3d18(400, new Rng(0))).parameterCount());
        assertEquals(31_505_325L, Inits.shapesOnly(() -> VideoResNet.r2plus1d18(400, new Rng(0))).parameterCount());
        long mc3 = Inits.shapesOnly(() -> VideoResNet.mc318(400, new Rng(0))).parameterCount();
        System.out.println("mc3_18 parameters " + mc3);
        assertEquals(11_695_440L, mc3);
    }

    @Test
    void keysAndMidplanes() {
        Map<String, Tensor> r2 = Inits.shapesOnly(() -> VideoResNet.r2plus1d18(400, new Rng(0))).stateDict();
        assertArrayEquals(new int[] {45, 3, 1, 7, 7}, r2.get("stem.0.weight").shape());
        assertArrayEquals(new int[] {64, 45, 3, 1, 1}, r2.get("stem.3.weight").shape());
        assertTrue(r2.containsKey("stem.4.running_var"));
        assertArrayEquals(new int[] {144, 64, 1, 3, 3}, r2.get("layer1.0.conv1.0.0.weight").shape());
        assertArrayEquals(new int[] {64, 144, 3, 1, 1}, r2.get("layer1.0.conv1.0.3.weight").shape());
        assertTrue(r2.containsKey("layer1.0.conv1.0.1.running_mean"));
        assertTrue(r2.containsKey("layer1.0.conv1.1.weight"));
        assertArrayEquals(new int[] {230, 64, 1, 3, 3}, r2.get("layer2.0.conv1.0.0.weight").shape());
        assertArrayEquals(new int[] {230, 128, 1, 3, 3}, r2.get("layer2.0.conv2.0.0.weight").shape(), "conv2 reuses the block's midplanes");
        assertArrayEquals(new int[] {288, 128, 1, 3, 3}, r2.get("layer2.1.conv1.0.0.weight").shape());
        assertArrayEquals(new int[] {128, 64, 1, 1, 1}, r2.get("layer2.0.downsample.0.weight").shape());

        Map<String, Tensor> mc = Inits.shapesOnly(() -> VideoResNet.mc318(400, new Rng(0))).stateDict();
        assertArrayEquals(new int[] {64, 3, 3, 7, 7}, mc.get("stem.0.weight").shape());
        assertArrayEquals(new int[] {64, 64, 3, 3, 3}, mc.get("layer1.0.conv1.0.weight").shape());
        assertArrayEquals(new int[] {128, 64, 1, 3, 3}, mc.get("layer2.0.conv1.0.weight").shape());
        assertArrayEquals(new int[] {400, 512}, mc.get("fc.weight").shape());
    }

    @Test
    void forwardShapesOnSmallClips() {
        for (VideoResNet net : new VideoResNet[] {VideoResNet.mc318(7, new Rng(1)), VideoResNet.r2plus1d18(7, new Rng(1)), VideoResNet.r3d18(7, new Rng(1))}) {
            net.eval();
            Tensor y = net.forward(new Rng(2).uniform(new int[] {1, 3, 4, 16, 16}, DType.FLOAT32, Device.CPU));
            assertArrayEquals(new int[] {1, 7}, y.shape(), net.kind.name());
        }
    }
}

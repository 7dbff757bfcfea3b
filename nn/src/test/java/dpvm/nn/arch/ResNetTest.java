package dpvm.nn.arch;

import dpvm.nn.layers.Inits;
import dpvm.tensor.DType;
import dpvm.tensor.Device;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ResNetTest {
    @Test
    void resnet101CountAndKeys() {
        ResNet r = Inits.shapesOnly(() -> ResNet.resnet101(3, 1000, ResNet.Se.NONE, new Rng(0)));
        assertEquals(44_549_160L, r.parameterCount());
        Map<String, Tensor> sd = r.stateDict();
        assertArrayEquals(new int[] {64, 3, 7, 7}, sd.get("conv1.weight").shape());
        assertArrayEquals(new int[] {128, 128, 3, 3}, sd.get("layer2.0.conv2.weight").shape());
        assertArrayEquals(new int[] {512, 256, 1, 1}, sd.get("layer2.0.downsample.0.weight").shape());
        assertArrayEquals(new int[] {256, 1024, 1, 1}, sd.get("layer3.22.conv1.weight").shape());
        assertTrue(sd.containsKey("layer4.2.bn3.running_var"));
        assertArrayEquals(new int[] {1000, 2048}, sd.get("fc.weight").shape());
        assertEquals(11_689_512L, Inits.shapesOnly(() -> ResNet.resnet18(3, 1000, new Rng(0))).parameterCount(), "torchvision resnet18");
        assertEquals(25_557_032L, Inits.shapesOnly(() -> ResNet.resnet50(3, 1000, ResNet.Se.NONE, new Rng(0))).parameterCount(), "torchvision resnet50");
    }

    @Test
    void seAndOneChannelInput() {
        ResNet se = Inits.shapesOnly(() -> ResNet.resnet101(1, 1000, ResNet.Se.LINEAR, new Rng(0)));
        Map<String, Tensor> sd = se.stateDict();
        assertArrayEquals(new int[] {64, 1, 7, 7}, sd.get("conv1.weight").shape());
        assertArrayEquals(new int[] {16, 256}, sd.get("layer1.0.se.fc.0.weight").shape());
        assertArrayEquals(new int[] {2048, 128}, sd.get("layer4.2.se.fc.2.weight").shape());
        // SE adds 2*C*C/16 per block: sum over blocks of C^2/8, and conv1 loses 2*64*49 weights
        long extra = 0;
        int[] blocks = {3, 4, 23, 3};
        for (int l = 0; l < 4; l++) extra += blocks[l] * (long) (256 << l) * (256 << l) / 8;
        assertEquals(44_549_160L - 2 * 64 * 49 + extra, se.parameterCount());
        ResNet conv = Inits.shapesOnly(() -> ResNet.resnet50(3, 10, ResNet.Se.CONV, new Rng(0)));
        assertArrayEquals(new int[] {16, 256, 1, 1}, conv.stateDict().get("layer1.0.se.fc1.weight").shape());
        assertArrayEquals(new int[] {256}, conv.stateDict().get("layer1.0.se.fc2.bias").shape());
    }

    @Test
    void rgbCheckpointSummedIntoOneChannelEqualsRepeatedGrayInput() {
        ResNet rgb = new ResNet(new int[] {1, 1, 1, 1}, false, 3, 2, ResNet.Se.NONE, 16, new Rng(1));
        ResNet gray = new ResNet(new int[] {1, 1, 1, 1}, false, 1, 2, ResNet.Se.NONE, 16, new Rng(2));
        rgb.eval();
        gray.eval();
        assertTrue(gray.loadStateDict(ResNet.sumConv1ToOneChannel(rgb.stateDict()), true).isClean());
        Tensor x = new Rng(3).uniform(new int[] {1, 1, 32, 32}, DType.FLOAT32, Device.CPU);
        Tensor x3 = dpvm.tensor.Ops.cat(new Tensor[] {x, x, x}, 1);
        assertArrayEquals(rgb.forward(x3).toDoubleArray(), gray.forward(x).toDoubleArray(), 1e-4);
    }

    @Test
    void mfccSizedInputNeedsAdaptivePooling() {
        ResNet r = new ResNet(new int[] {1, 1, 1, 1}, true, 1, 4, ResNet.Se.LINEAR, 16, new Rng(1));
        r.eval();
        // 20 MFCC rows shrink 20 -> 10 -> 5 -> 3 -> 2 -> 1
        Tensor y = r.forward(new Rng(2).uniform(new int[] {2, 1, 20, 40}, DType.FLOAT32, Device.CPU));
        assertArrayEquals(new int[] {2, 4}, y.shape());
        assertEquals(2048, r.featureDim());
    }
}

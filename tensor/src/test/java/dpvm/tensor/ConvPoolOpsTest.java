package dpvm.tensor;

import dpvm.tensor.check.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Convolutions (1-3 spatial dims, stride, padding, dilation, groups) and pooling through the tensor API. */
class ConvPoolOpsTest {
    static java.util.stream.Stream<Device> devices() {
        return Backends4Test.devices();
    }

    private static int[] r(int v, int n) {
        return Functional.rep(v, n);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void convolutions(Device d) {
        OpCheck.of("conv1d", x -> Functional.conv1d(x[0], x[1], x[2], 2, 1, 1, 1)).input(2, 3, 9).input(4, 3, 3).input(4).expectShape(2, 4, 5).check(d);
        OpCheck.of("conv1d dilated grouped", x -> Functional.conv1d(x[0], x[1], null, 1, 2, 2, 2)).input(1, 4, 7).input(6, 2, 3).expectShape(1, 6, 7).check(d);
        OpCheck.of("conv2d", x -> Functional.conv2d(x[0], x[1], x[2], 1, 1, 1, 1)).input(2, 3, 5, 6).input(2, 3, 3, 3).input(2).expectShape(2, 2, 5, 6).check(d);
        OpCheck.of("conv2d strided", x -> Functional.conv2d(x[0], x[1], null, 2, 0, 1, 1)).input(1, 2, 7, 5).input(3, 2, 3, 2).expectShape(1, 3, 3, 2).check(d);
        OpCheck.of("conv2d depthwise", x -> Functional.conv2d(x[0], x[1], null, 1, 1, 1, 3)).input(1, 3, 4, 4).input(3, 1, 3, 3).check(d);
        OpCheck.of("conv3d", x -> Functional.conv3d(x[0], x[1], x[2], new int[] {1, 2, 2}, r(1, 3), r(1, 3), 1))
                .input(1, 2, 3, 5, 4).input(3, 2, 3, 3, 3).input(3).expectShape(1, 3, 3, 3, 2).check(d);
        OpCheck.of("conv3d 1x1x1", x -> Functional.conv3d(x[0], x[1], null, r(1, 3), r(0, 3), r(1, 3), 1)).input(2, 4, 2, 3, 3).input(5, 4, 1, 1, 1).check(d);
        OpCheck.of("conv3d stride 2 grouped", x -> Functional.conv3d(x[0], x[1], null, r(2, 3), r(1, 3), r(1, 3), 2))
                .input(1, 4, 4, 5, 5).input(4, 2, 3, 3, 3).expectShape(1, 4, 2, 3, 3).check(d);
        OpCheck.of("conv2d hand", x -> Functional.conv2d(x[0], x[1], null, 1, 0, 1, 1))
                .input(Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3)).input(Tensor.of(new double[] {1, 0, 0, -1}, 1, 1, 2, 2))
                .expectValues(-4, -4, -4, -4).check(d);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void pooling(Device d) {
        OpCheck.of("max_pool2d", x -> Functional.maxPool2d(x[0], 2, 2, 0)).input(2, 3, 6, 5).expectShape(2, 3, 3, 2).check(d);
        OpCheck.of("max_pool2d padded overlapping", x -> Functional.maxPool2d(x[0], 3, 2, 1)).input(1, 2, 7, 7).expectShape(1, 2, 4, 4).check(d);
        OpCheck.of("max_pool3d", x -> Functional.maxPool3d(x[0], 3, 2, 1)).input(1, 2, 4, 5, 5).expectShape(1, 2, 2, 3, 3).check(d);
        OpCheck.of("max_pool ceil", x -> Functional.maxPool(x[0], r(2, 2), r(2, 2), r(0, 2), r(1, 2), true)).input(1, 1, 5, 5).expectShape(1, 1, 3, 3).check(d);
        OpCheck.of("avg_pool2d", x -> Functional.avgPool2d(x[0], 2, 2, 1)).input(2, 2, 5, 4).expectShape(2, 2, 3, 3).check(d);
        OpCheck.of("avg_pool exclude pad", x -> Functional.avgPool(x[0], r(3, 2), r(1, 2), r(1, 2), false, false)).input(1, 2, 4, 4).check(d);
        OpCheck.of("avg_pool3d", x -> Functional.avgPool3d(x[0], new int[] {1, 4, 4}, r(1, 3), r(0, 3))).input(1, 2, 1, 4, 4).expectShape(1, 2, 1, 1, 1).check(d);
        OpCheck.of("adaptive_avg_pool2d", x -> Functional.adaptiveAvgPool(x[0], 3, 2)).input(2, 2, 7, 5).expectShape(2, 2, 3, 2).check(d);
        OpCheck.of("adaptive_avg_pool3d to 1", x -> Functional.adaptiveAvgPool(x[0], 1, 1, 1)).input(1, 3, 2, 3, 3).expectShape(1, 3, 1, 1, 1).check(d);
        OpCheck.of("max_pool hand", x -> Functional.maxPool2d(x[0], 2, 2, 0)).input(Tensor.of(new double[] {1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 0, 0, 0, 9, 0, 7}, 1, 1, 4, 4))
                .expectValues(5, 8, 9, 7).check(d);
    }

    @Test
    void maxPoolPaddingNeverWins() {
        Tensor x = Tensor.of(new float[] {-5, -6, -7, -8}, 1, 1, 2, 2);
        // the corner windows each hold one real element and three padding positions
        assertArrayEquals(new float[] {-5, -6, -7, -8}, Functional.maxPool2d(x, 2, 1, 1).slice(2, 0, 3, 2).slice(3, 0, 3, 2).toFloatArray());
    }
}

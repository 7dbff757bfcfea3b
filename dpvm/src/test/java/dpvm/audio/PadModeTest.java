package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class PadModeTest {

    private static double[] padded(PadMode mode, float[] y, int pad) {
        double[] out = new double[y.length + 2 * pad];
        for (int i = 0; i < out.length; i++) {
            out[i] = mode.sampleAt(y, i - pad);
        }
        return out;
    }

    @Test
    void reflectMatchesNumpyIncludingPadsLongerThanTheSignal() {
        // np.pad([1, 2, 3], 4, mode='reflect')
        float[] y = {1, 2, 3};
        assertArrayEquals(new double[] {1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3}, padded(PadMode.REFLECT, y, 4), 0);
    }

    @Test
    void constantPadsZeros() {
        float[] y = {1, 2, 3};
        assertArrayEquals(new double[] {0, 0, 1, 2, 3, 0, 0}, padded(PadMode.CONSTANT, y, 2), 0);
    }

    @Test
    void reflectOfOneSampleRepeatsIt() {
        assertArrayEquals(new double[] {5, 5, 5}, padded(PadMode.REFLECT, new float[] {5}, 1), 0);
    }
}

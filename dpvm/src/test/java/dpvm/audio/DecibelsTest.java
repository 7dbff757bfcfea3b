package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class DecibelsTest {

    @Test
    void handComputedWithAminRefAndTopDb() {
        // 10 log10: 1 -> 0, 1e-12 -> clipped at amin 1e-10 -> -100, 100 -> 20, 0.5 -> -3.0103;
        // top_db 80 below the global max of 20 floors everything at -60.
        double[][] s = {{1, 1e-12}, {100, 0.5}};
        Decibels.powerToDb(s, 1.0, 1e-10, 80.0);
        assertArrayEquals(new double[] {0, -60}, s[0], 1e-12);
        assertArrayEquals(new double[] {20, 10 * Math.log10(0.5)}, s[1], 1e-12);
    }

    @Test
    void refShiftsAndNoTopDbKeepsTheFloorAtAmin() {
        double[][] s = {{1, 0}, {100, 0.5}};
        Decibels.powerToDb(s, 10.0, 1e-10, Decibels.NO_TOP_DB);
        assertArrayEquals(new double[] {-10, -110}, s[0], 1e-12);
        assertArrayEquals(new double[] {10, 10 * Math.log10(0.5) - 10}, s[1], 1e-12);
    }
}

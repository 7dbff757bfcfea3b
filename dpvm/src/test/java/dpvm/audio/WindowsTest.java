package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WindowsTest {

    @Test
    void periodicHannOfFour() {
        // 0.5 - 0.5 cos(2 pi t / 4): the periodic form ends at 0.5, not back at 0
        assertArrayEquals(new double[] {0, 0.5, 1, 0.5}, Windows.periodicHann(4), 1e-15);
    }

    @Test
    void periodicHannSumsToHalfItsLength() {
        // sum of cos(2 pi t / n) over a full period is 0, so the sum is exactly n/2
        double s = 0;
        for (double w : Windows.periodicHann(2048)) {
            s += w;
        }
        assertEquals(1024.0, s, 1e-9);
    }

    @Test
    void padCenterPutsExtraZeroOnTheRight() {
        double[] w = {1, 2, 3};
        assertArrayEquals(new double[] {0, 1, 2, 3, 0, 0}, Windows.padCenter(w, 6), 0);
    }
}

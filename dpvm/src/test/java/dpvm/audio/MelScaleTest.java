package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MelScaleTest {

    @Test
    void slaneyIsLinearBelowOneKilohertzAndLogAbove() {
        assertEquals(4.5, MelScale.SLANEY.hzToMel(300), 1e-12);
        assertEquals(15.0, MelScale.SLANEY.hzToMel(1000), 1e-12);
        // 27 mel per factor 6.4 above 1 kHz
        assertEquals(42.0, MelScale.SLANEY.hzToMel(6400), 1e-12);
        assertEquals(6400.0, MelScale.SLANEY.melToHz(42.0), 1e-9);
        assertEquals(300.0, MelScale.SLANEY.melToHz(4.5), 1e-12);
    }

    @Test
    void htkVariantsAtSevenHundredHertz() {
        assertEquals(2595 * Math.log10(2), MelScale.HTK.hzToMel(700), 1e-12);
        assertEquals(1127 * Math.log(2), MelScale.HTK_LN.hzToMel(700), 1e-12);
        // different constants: 2595/ln 10 = 1126.994..., so the two differ slightly
        double diff = MelScale.HTK.hzToMel(700) - MelScale.HTK_LN.hzToMel(700);
        assertEquals((2595 / Math.log(10) - 1127) * Math.log(2), diff, 1e-12);
        assertEquals(-0.00403, diff, 1e-5);
    }

    @Test
    void inversesRoundTrip() {
        for (MelScale s : MelScale.values()) {
            for (double hz : new double[] {0, 1, 125, 999.9, 1000, 4321, 7500, 11025}) {
                assertEquals(hz, s.melToHz(s.hzToMel(hz)), 1e-9 * (1 + hz), s + " " + hz);
            }
        }
    }

    @Test
    void linspaceLikeNumpy() {
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, MelScale.linspace(0, 1, 5), 0);
        assertArrayEquals(new double[] {3}, MelScale.linspace(3, 7, 1), 0);
    }
}

package dpvm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimeRangeTest {
    private static void same(double start, double end, String text) {
        assertEquals(new TimeRange(start, end), TimeRange.parse(text), text);
    }

    @Test
    void acceptsTheWaysPeopleWriteRanges() {
        same(750, 765, "0:12:30-0:12:45");
        same(750, 765, "12:30~12:45");
        same(750, 765, " 12:30  to 12:45 ");
        same(750, 765, "12:30 — 12:45");
        same(750, 765, "12:30–12:45");
        same(750, 765, "１２：３０－１２：４５");
        same(750, 765, "12:30至12:45");
        same(4530, 4545, "75:30-75:45");
        same(750, 765.5, "750-765.5");
        same(750, 765, "12m30s-12m45s");
        same(3723, 3738, "1:02:03-02:18");
        same(750, 765, "12:30TO12:45");
    }

    @Test
    void rejectsWithAReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeRange.parse("12:30")).getMessage().contains("start-end"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeRange.parse("12:45-12:30")).getMessage().contains("ends before"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeRange.parse("1:75:00-1:76:00")).getMessage().contains("above 59"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeRange.parse("0:00-20:00")).getMessage().contains("over 600"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeRange.parse("soon-later")).getMessage().contains("not a time"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeRange.parse("")).getMessage().contains("empty"));
    }

    @Test
    void labelsTolerateCaseAndTyposButNotGuesswork() {
        assertEquals(Polarity.POSITIVE, Polarity.parse("postive").orElseThrow());
        assertEquals(Polarity.NEGATIVE, Polarity.parse(" NEGATIVE ").orElseThrow());
        assertEquals(Polarity.NEUTRAL, Polarity.parse("Nuetral").orElseThrow());
        assertEquals(Polarity.NEGATIVE, Polarity.parse("消极").orElseThrow());
        assertEquals(Polarity.NEGATIVE, Polarity.parse("-1").orElseThrow());
        assertTrue(Polarity.parse("happy-ish").isEmpty());
        assertTrue(Polarity.parse("").isEmpty());
        assertEquals(2, Math.abs(Polarity.POSITIVE.value() - Polarity.NEGATIVE.value()), "eq. (11) penalty");
    }

    @Test
    void formatsBack() {
        assertEquals("1:15:30", TimeRange.format(4530));
        assertEquals("0:00:01.250", TimeRange.format(1.25));
    }
}

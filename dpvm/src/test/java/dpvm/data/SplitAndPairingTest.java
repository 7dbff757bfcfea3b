package dpvm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SplitAndPairingTest {
    /** 60 movies with 1-8 clips each, random polarity and words. */
    static List<ManifestRow> rows(long seed) {
        Random r = new Random(seed);
        String[] words = {"happy", "sad", "calm", "scared", "warm"};
        List<ManifestRow> out = new ArrayList<>();
        for (int m = 1; m <= 60; m++) {
            int clips = 1 + r.nextInt(8);
            for (int c = 1; c <= clips; c++) {
                Polarity p = Polarity.values()[r.nextInt(3)];
                out.add(new ManifestRow(out.size() + 2, Integer.toString(m), "", m + "_" + c, p,
                        List.of(words[r.nextInt(words.length)]), new TimeRange(c * 20, c * 20 + 15), List.of()));
            }
        }
        return out;
    }

    @Test
    void sevenToThreeByMovieAndDeterministic() {
        List<ManifestRow> rows = rows(1);
        Map<String, Split.Side> a = Split.bySeed(rows, 9), b = Split.bySeed(rows, 9), c = Split.bySeed(rows, 10);
        assertEquals(a, b);
        assertNotEquals(a, c, "the seed matters");
        long train = a.values().stream().filter(s -> s == Split.Side.TRAIN).count();
        assertEquals(0.7, (double) train / rows.size(), 0.03);
        Map<String, Split.Side> movieSide = new HashMap<>();
        for (ManifestRow r : rows) {
            Split.Side prev = movieSide.putIfAbsent(r.movie(), a.get(r.clipId()));
            if (prev != null) assertEquals(prev, a.get(r.clipId()), "movie " + r.movie() + " split across sides");
        }
        List<ManifestRow> shuffled = new ArrayList<>(rows);
        java.util.Collections.shuffle(shuffled, new Random(3));
        assertEquals(a, new HashMap<>(Split.bySeed(shuffled, 9)), "row order does not matter");
    }

    @Test
    void fiveRelatedPiecesOnTheSameSideAndPolarity() {
        List<ManifestRow> rows = rows(2);
        Map<String, Split.Side> split = Split.bySeed(rows, 4);
        Map<String, ManifestRow> byId = new HashMap<>();
        rows.forEach(r -> byId.put(r.clipId(), r));
        List<MusicPairing.Pair> pairs = MusicPairing.pair(rows, split, 4);
        assertEquals(pairs, MusicPairing.pair(rows, split, 4));
        Map<String, List<MusicPairing.Pair>> per = new HashMap<>();
        for (MusicPairing.Pair p : pairs) per.computeIfAbsent(p.videoClip(), k -> new ArrayList<>()).add(p);
        assertEquals(rows.size(), per.size());
        for (ManifestRow v : rows) {
            List<MusicPairing.Pair> mine = per.get(v.clipId());
            assertEquals(MusicPairing.PER_VIDEO, mine.size(), "enough candidates in this data: " + v.clipId());
            assertEquals(MusicPairing.Relation.OWN, mine.get(0).relation());
            assertEquals(v.clipId(), mine.get(0).musicClip());
            int lastRank = -1;
            for (MusicPairing.Pair p : mine) {
                ManifestRow m = byId.get(p.musicClip());
                assertEquals(split.get(v.clipId()), split.get(m.clipId()), "no pairing across the split");
                assertEquals(v.polarity(), m.polarity());
                assertTrue(p.relation().ordinal() >= lastRank, "strongest relations first");
                lastRank = p.relation().ordinal();
                if (p.relation() == MusicPairing.Relation.SAME_MOVIE) assertEquals(v.movie(), m.movie());
                if (p.relation() == MusicPairing.Relation.SHARED_EMOTION) assertTrue(m.emotions().stream().anyMatch(v.emotions()::contains));
            }
        }
    }
}

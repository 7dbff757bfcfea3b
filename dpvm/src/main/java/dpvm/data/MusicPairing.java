package dpvm.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives each video its related music pieces (paper §IV-A: 5 per video). MVED clips carry only
 * background music, so a clip's own soundtrack is its first related piece; the other four are the
 * most related soundtracks on the same side of the split, ranked by:
 * <ol>
 *   <li>same movie and same polarity (the same score in the same mood),</li>
 *   <li>same polarity and at least one shared emotion word (more shared words first),</li>
 *   <li>same polarity,</li>
 * </ol>
 * ties broken by a seeded hash so the choice is deterministic but not biased to row order. Pieces of
 * the other polarity are never related; a video with too few candidates gets fewer than five.
 */
public final class MusicPairing {
    public static final int PER_VIDEO = 5;

    public enum Relation { OWN, SAME_MOVIE, SHARED_EMOTION, SAME_POLARITY }

    public record Pair(String videoClip, String musicClip, Relation relation, Split.Side side) {}

    private MusicPairing() {}

    public static List<Pair> pair(List<ManifestRow> rows, Map<String, Split.Side> sides, long seed) {
        List<Pair> out = new ArrayList<>();
        for (ManifestRow v : rows) {
            Split.Side side = sides.get(v.clipId());
            out.add(new Pair(v.clipId(), v.clipId(), Relation.OWN, side));
            List<ManifestRow> candidates = new ArrayList<>();
            for (ManifestRow m : rows) {
                if (m != v && sides.get(m.clipId()) == side && m.polarity() == v.polarity()) candidates.add(m);
            }
            candidates.sort(Comparator.comparingInt((ManifestRow m) -> rank(v, m))
                    .thenComparing(m -> -shared(v, m))
                    .thenComparingLong(m -> mix(seed, v.clipId(), m.clipId())));
            for (ManifestRow m : candidates.subList(0, Math.min(PER_VIDEO - 1, candidates.size()))) {
                out.add(new Pair(v.clipId(), m.clipId(), relation(v, m), side));
            }
        }
        return out;
    }

    private static int rank(ManifestRow v, ManifestRow m) {
        return relation(v, m).ordinal();
    }

    private static Relation relation(ManifestRow v, ManifestRow m) {
        if (v.movie().equals(m.movie())) return Relation.SAME_MOVIE;
        if (shared(v, m) > 0) return Relation.SHARED_EMOTION;
        return Relation.SAME_POLARITY;
    }

    private static int shared(ManifestRow v, ManifestRow m) {
        Set<String> s = new HashSet<>(v.emotions());
        s.retainAll(m.emotions());
        return s.size();
    }

    /** A stable 64-bit mix of the seed and both ids (not String.hashCode order, which clusters). */
    static long mix(long seed, String a, String b) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (char c : (a + '\u0000' + b).toCharArray()) {
            h ^= c;
            h *= 0x100000001B3L;
            h ^= h >>> 29;
        }
        return h;
    }
}

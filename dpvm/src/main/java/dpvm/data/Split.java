package dpvm.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The paper's 7:3 train/test split, by movie: all clips of a movie land on one side, so a model
 * cannot match a test clip through a soundtrack it heard in training. Movies are shuffled by the seed
 * and filled into train until it holds 70% of the clips; the rest is test.
 */
public final class Split {
    public enum Side { TRAIN, TEST }

    public static final double TRAIN_FRACTION = 0.7;

    private Split() {}

    /** Side per clip id, deterministic in the seed and independent of row order. */
    public static Map<String, Side> bySeed(List<ManifestRow> rows, long seed) {
        return bySeed(rows, seed, TRAIN_FRACTION);
    }

    public static Map<String, Side> bySeed(List<ManifestRow> rows, long seed, double trainFraction) {
        TreeMap<String, List<ManifestRow>> movies = new TreeMap<>();
        for (ManifestRow r : rows) movies.computeIfAbsent(r.movie(), k -> new ArrayList<>()).add(r);
        List<String> order = new ArrayList<>(movies.keySet());
        java.util.Collections.shuffle(order, new Random(seed));
        long target = Math.round(rows.size() * trainFraction);
        Map<String, Side> side = new LinkedHashMap<>();
        int train = 0;
        for (String movie : order) {
            List<ManifestRow> clips = movies.get(movie);
            // Put the movie where it brings train closer to its target: avoids overshooting on big movies.
            boolean toTrain = Math.abs(train + clips.size() - target) <= Math.abs(train - target);
            for (ManifestRow r : clips) side.put(r.clipId(), toTrain ? Side.TRAIN : Side.TEST);
            if (toTrain) train += clips.size();
        }
        return side;
    }
}

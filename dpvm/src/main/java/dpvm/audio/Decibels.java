package dpvm.audio;

/** {@code librosa.power_to_db}. */
public final class Decibels {
    /** Passing this as top_db disables the dynamic-range floor (librosa's top_db=None). */
    public static final double NO_TOP_DB = Double.POSITIVE_INFINITY;

    private Decibels() {
    }

    /**
     * In place: x = 10 log10(max(amin, x)) - 10 log10(max(amin, ref)), then
     * x = max(x, max(all x) - topDb). The maximum is taken over the whole array, as librosa does
     * over everything passed in one call, so a clip must be converted in one piece.
     */
    public static void powerToDb(double[][] s, double ref, double amin, double topDb) {
        if (amin <= 0) {
            throw new IllegalArgumentException("amin must be strictly positive");
        }
        if (topDb < 0) {
            throw new IllegalArgumentException("top_db must be non-negative");
        }
        double refDb = 10.0 * Math.log10(Math.max(amin, Math.abs(ref)));
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : s) {
            for (int i = 0; i < row.length; i++) {
                row[i] = 10.0 * Math.log10(Math.max(amin, row[i])) - refDb;
                max = Math.max(max, row[i]);
            }
        }
        double floor = max - topDb;
        if (floor > Double.NEGATIVE_INFINITY) {
            for (double[] row : s) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = Math.max(row[i], floor);
                }
            }
        }
    }
}

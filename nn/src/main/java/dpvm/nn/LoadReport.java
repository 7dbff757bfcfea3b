package dpvm.nn;

import java.util.List;

/** What {@link Module#loadStateDict} could not match: keys the model has and the source lacks, the reverse, and shape clashes. */
public record LoadReport(List<String> missing, List<String> unexpected, List<String> shapeMismatches) {
    public LoadReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        shapeMismatches = List.copyOf(shapeMismatches);
    }

    public boolean isClean() {
        return missing.isEmpty() && unexpected.isEmpty() && shapeMismatches.isEmpty();
    }

    /** Keys whose absence or presence never counts against a checkpoint. */
    static boolean isOptional(String key) {
        return key.equals("num_batches_tracked") || key.endsWith(".num_batches_tracked");
    }

    @Override
    public String toString() {
        return "missing " + missing + ", unexpected " + unexpected + ", wrong shape " + shapeMismatches;
    }
}

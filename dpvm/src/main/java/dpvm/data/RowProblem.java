package dpvm.data;

/** A manifest row that could not be used (or, when {@code row == 0}, a problem with the whole file). */
public record RowProblem(String source, int row, String reason) {
    @Override
    public String toString() {
        return row > 0 ? source + " row " + row + ": " + reason : source + ": " + reason;
    }
}

package dpvm.media;

/** Why a media file could not be used (or, for {@link #NO_AUDIO}, was used without its sound). */
public enum ProblemKind {
    MISSING_FILE("file not found"),
    EMPTY_FILE("file is empty"),
    CORRUPT("not a readable media file (corrupt, or truncated before its index)"),
    TRUNCATED("stream ends before its declared duration (truncated)"),
    NO_VIDEO("no video stream"),
    NO_AUDIO("no audio stream"),
    UNSUPPORTED_CODEC("codec has no decoder in this FFmpeg build"),
    SHORT_CLIP("clip is shorter than the requested window"),
    IO_ERROR("read or write failed"),
    INTERNAL("unexpected failure");

    private final String meaning;

    ProblemKind(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }
}

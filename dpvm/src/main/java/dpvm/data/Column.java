package dpvm.data;

import java.util.List;

/** The MVED manifest columns, each with the header spellings accepted for it (compared by {@link Text#key}). */
public enum Column {
    MOVIE_NUMBER("movie number", "movienumber", "movieno", "movienum", "movieid", "filmno", "filmnumber", "filmid", "no", "number", "电影编号", "影片编号", "电影序号"),
    MOVIE_TITLE("movie title", "movietitle", "title", "moviename", "movie", "film", "filmtitle", "filmname", "name", "电影名称", "电影名", "片名", "影片名称"),
    CLIP_ID("clip id", "clipid", "clip", "clipno", "clipnumber", "clipname", "videoid", "segmentid", "segment", "id", "片段编号", "片段", "视频编号"),
    POLARITY("polarity", "polarity", "polaritylabel", "label", "sentiment", "valence", "polarities", "极性", "标签", "情感极性"),
    EMOTION("emotion", "emotion", "emotions", "emotionword", "emotionwords", "emotionaldescription", "emotionaldescriptions",
            "emotiondescription", "description", "descriptor", "descriptors", "mood", "情感", "情绪", "情感描述", "情感词"),
    TIME_RANGE("time range", "timerange", "time", "range", "timestamp", "timestamps", "period", "cliptime", "starttoend", "startend",
            "时间", "时间段", "时间范围", "起止时间"),
    /** Used only when there is no time range column: some sheets keep start and end apart. */
    START_TIME("start time", "start", "starttime", "begin", "from", "开始时间", "开始", "起始时间"),
    END_TIME("end time", "end", "endtime", "stop", "until", "结束时间", "结束");

    private final String label;
    private final List<String> keys;

    Column(String label, String... keys) {
        this.label = label;
        this.keys = List.of(keys);
    }

    /** How messages name the column. */
    public String label() {
        return label;
    }

    public boolean matches(String header) {
        return keys.contains(Text.key(header));
    }
}

package dpvm.data.synth;

import dpvm.data.Polarity;
import java.util.List;

/**
 * The emotion words the generator uses, each with a valence (-1..1) and arousal (0..1) taken from the
 * usual circumplex placement of the word. Valence drives brightness, colour warmth and mode; arousal
 * drives motion speed, tempo and loudness.
 */
public record Emotion(String word, Polarity polarity, double valence, double arousal) {
    public static final List<Emotion> ALL = List.of(
            new Emotion("happy", Polarity.POSITIVE, 0.85, 0.65),
            new Emotion("excited", Polarity.POSITIVE, 0.7, 0.95),
            new Emotion("warm", Polarity.POSITIVE, 0.6, 0.3),
            new Emotion("romantic", Polarity.POSITIVE, 0.7, 0.4),
            new Emotion("sad", Polarity.NEGATIVE, -0.8, 0.2),
            new Emotion("scared", Polarity.NEGATIVE, -0.7, 0.9),
            new Emotion("angry", Polarity.NEGATIVE, -0.75, 0.95),
            new Emotion("tense", Polarity.NEGATIVE, -0.5, 0.7),
            new Emotion("calm", Polarity.NEUTRAL, 0.05, 0.15),
            new Emotion("surprised", Polarity.NEUTRAL, 0.15, 0.85),
            new Emotion("mysterious", Polarity.NEUTRAL, -0.1, 0.4),
            new Emotion("curious", Polarity.NEUTRAL, 0.1, 0.55));

    public static List<Emotion> of(Polarity p) {
        return ALL.stream().filter(e -> e.polarity == p).toList();
    }
}

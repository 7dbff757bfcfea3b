package dpvm.audio;

/** Mono downmix by the arithmetic mean of the channels ({@code np.mean(data, axis=1)}). */
public final class Downmix {
    private Downmix() {
    }

    /** channels[c][i] to the per-sample mean. All channels must have the same length. */
    public static float[] mono(float[][] channels) {
        if (channels.length == 0) {
            throw new IllegalArgumentException("no channels");
        }
        int n = channels[0].length;
        float[] out = new float[n];
        for (float[] ch : channels) {
            if (ch.length != n) {
                throw new IllegalArgumentException("channels differ in length");
            }
        }
        for (int i = 0; i < n; i++) {
            double s = 0.0;
            for (float[] ch : channels) {
                s += ch[i];
            }
            out[i] = (float) (s / channels.length);
        }
        return out;
    }

    /** Interleaved frames (L R L R ...) of {@code channels} channels to the per-frame mean. */
    public static float[] monoInterleaved(float[] data, int channels) {
        if (channels < 1 || data.length % channels != 0) {
            throw new IllegalArgumentException("length is not a multiple of the channel count");
        }
        int n = data.length / channels;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0.0;
            for (int c = 0; c < channels; c++) {
                s += data[i * channels + c];
            }
            out[i] = (float) (s / channels);
        }
        return out;
    }
}

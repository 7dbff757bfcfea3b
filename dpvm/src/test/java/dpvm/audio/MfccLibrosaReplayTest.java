package dpvm.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dpvm.nn.io.TensorIO;
import dpvm.nn.io.WeightFile;
import dpvm.nn.io.WeightFiles;
import dpvm.tensor.Tensor;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MFCC against librosa's own output: each fixture (made by {@link #SCRIPT}) holds a signal, librosa's MFCC of
 * it and the options librosa was called with, which this test reads back into an {@link MfccConfig}. The cases
 * cover librosa's defaults on tones, a chirp, noise followed by silence (the amin floor and the 80 dB top_db
 * clamp) and a signal shorter than one FFT frame; HTK mels without Slaney norm with a lifter at 16 kHz; and
 * reflect padding with a magnitude spectrum, as librosa before 0.9 padded.
 */
class MfccLibrosaReplayTest {
    static final String SCRIPT = "python3 native-tests/fixtures/make_audio_fixtures.py (needs librosa, numpy, safetensors)";

    /**
     * librosa computes in float32 (its STFT in complex64) and this code in double, so values differ by float32
     * rounding carried through the log: at most 2.0e-4 dB on coefficients of tens to hundreds of dB with librosa
     * 0.11.0. The bound leaves ten times that.
     */
    static final double ABS_DB = 2e-3, REL = 1e-5;

    @ParameterizedTest
    @ValueSource(strings = {"default_tones", "default_chirp", "default_noise_then_silence", "default_short",
            "speech_chirp", "speech_noise_then_silence", "reflect_magnitude_tones"})
    void mfccMatchesLibrosa(String name) {
        Path file = fixture("mfcc_" + name);
        Map<String, String> meta;
        float[] y;
        Tensor expected;
        try (WeightFile f = WeightFiles.open(file)) {
            meta = f.metadata();
            y = TensorIO.toTensor(f.get("input")).toFloatArray();
            expected = TensorIO.toTensor(f.get("mfcc"));
        }
        int sr = Integer.parseInt(meta.get("sr"));
        float[][] got = new Mfcc(sr, config(meta)).compute(y);
        int[] shape = expected.shape();
        assertEquals(shape[0], got.length, name + ": coefficients");
        assertEquals(shape[1], got[0].length, name + ": frames");
        float[] want = expected.toFloatArray();
        double worst = 0;
        for (int k = 0; k < shape[0]; k++) {
            for (int t = 0; t < shape[1]; t++) {
                double w = want[k * shape[1] + t], g = got[k][t];
                double gap = Math.abs(g - w);
                worst = Math.max(worst, gap);
                assertTrue(gap <= ABS_DB + REL * Math.abs(w),
                        String.format("%s: coefficient %d, frame %d: %.6f, librosa %s gives %.6f", name, k, t, g, meta.get("librosa"), w));
            }
        }
        System.out.printf("mfcc %s: %d x %d, worst gap %.2e dB against librosa %s%n", name, shape[0], shape[1], worst, meta.get("librosa"));
    }

    /** The options the fixture's metadata records, as an {@link MfccConfig} (power_to_db at librosa's defaults). */
    static MfccConfig config(Map<String, String> m) {
        String fmax = m.get("fmax");
        return new MfccConfig(
                Integer.parseInt(m.get("n_mfcc")),
                Integer.parseInt(m.get("n_fft")),
                Integer.parseInt(m.get("hop_length")),
                Integer.parseInt(m.get("win_length")),
                Integer.parseInt(m.get("n_mels")),
                Double.parseDouble(m.get("fmin")),
                fmax.equals("None") ? Double.NaN : Double.parseDouble(fmax),
                Boolean.parseBoolean(m.get("htk").toLowerCase()),
                m.get("norm").equals("slaney"),
                Boolean.parseBoolean(m.get("center").toLowerCase()),
                m.get("pad_mode").equals("reflect") ? PadMode.REFLECT : PadMode.CONSTANT,
                Double.parseDouble(m.get("power")),
                1.0, 1e-10, 80.0,
                Integer.parseInt(m.get("lifter")));
    }

    private static Path fixture(String name) {
        URL url = MfccLibrosaReplayTest.class.getResource("/fixtures/audio/" + name + ".safetensors");
        assertNotNull(url, "fixture " + name + ".safetensors is missing: run " + SCRIPT);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("reading fixture " + name, e);
        }
    }
}

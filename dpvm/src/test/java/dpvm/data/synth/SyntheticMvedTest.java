package dpvm.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dpvm.data.Manifest;
import dpvm.data.ManifestParser;
import dpvm.data.Polarity;
import dpvm.media.AudioDecoder;
import dpvm.media.BatchResult;
import dpvm.media.DecodeOptions;
import dpvm.media.DecodedClip;
import dpvm.media.FrameView;
import dpvm.media.RgbImage;
import dpvm.media.VideoDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticMvedTest {
    @TempDir
    static Path dir;
    static SyntheticMved.Options clean;
    static List<PairPlan> plans;
    static BatchResult<PairPlan> result;
    static final FrameView SMALL = new FrameView("small", 60, 80, 60, true);

    @BeforeAll
    static void generate() throws Exception {
        clean = SyntheticMved.Options.defaults(24, 11).withSize(2, 128, 96).withKnobs(0, 0);
        plans = SyntheticMved.plan(clean);
        result = SyntheticMved.generate(clean, dir.resolve("a"), null);
    }

    private static DecodedClip decode(Path root, PairPlan p) throws Exception {
        return VideoDecoder.decode(root.resolve("clips/" + p.clipId() + ".mp4"),
                DecodeOptions.defaults().views(List.of(SMALL)).audioRates(List.of(16000)));
    }

    private static double meanBrightness(DecodedClip c) {
        return c.frames(SMALL).stream().mapToDouble(RgbImage::mean).average().orElseThrow();
    }

    @Test
    void writesEveryPairAndAnMvedManifest() throws Exception {
        assertEquals(24, result.succeeded(), result.summary());
        Manifest m = ManifestParser.read(dir.resolve("a/mved-manifest.csv"));
        assertEquals(24, m.rows().size(), m.report());
        assertTrue(m.rejected().isEmpty(), m.report());
        assertEquals(2.0, m.rows().get(0).range().duration(), 1e-9);
        assertEquals(plans.get(5).polarity(), m.rows().get(5).polarity());
        DecodedClip c = decode(dir.resolve("a"), plans.get(0));
        assertEquals(12, c.frameCount());
        assertTrue(c.hasAudio(), "the clip has an AAC track");
        assertEquals(2 * 22050, AudioDecoder.read(dir.resolve("a/music/" + plans.get(0).clipId() + ".wav"), 22050).length, 1);
        assertEquals(24 * 5, Files.readAllLines(dir.resolve("a/dataset-pairs.csv")).size() - 1 + countShort(), "5 pieces per video");
    }

    /** Videos on a small side of the split may have fewer than four same-polarity candidates. */
    private static int countShort() throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("a/dataset-pairs.csv"));
        java.util.Map<String, Long> per = lines.stream().skip(1).collect(java.util.stream.Collectors.groupingBy(l -> l.split(",")[0], java.util.stream.Collectors.counting()));
        return per.values().stream().mapToInt(n -> 5 - n.intValue()).sum();
    }

    @Test
    void sameSeedSameDataSet() throws Exception {
        SyntheticMved.Options small = SyntheticMved.Options.defaults(3, 11).withSize(2, 160, 120).withKnobs(0.3, 0.5);
        SyntheticMved.generate(small, dir.resolve("b1"), null);
        SyntheticMved.generate(small, dir.resolve("b2"), null);
        assertEquals(Files.readString(dir.resolve("b1/mved-manifest.csv")), Files.readString(dir.resolve("b2/mved-manifest.csv")));
        assertEquals(Files.readString(dir.resolve("b1/dataset.csv")), Files.readString(dir.resolve("b2/dataset.csv")));
        for (PairPlan p : SyntheticMved.plan(small)) {
            DecodedClip x = decode(dir.resolve("b1"), p), y = decode(dir.resolve("b2"), p);
            assertEquals(meanBrightness(x), meanBrightness(y), 1e-9);
            assertArrayEquals(x.frames(SMALL).get(5).planes(), y.frames(SMALL).get(5).planes());
            assertArrayEquals(Files.readAllBytes(dir.resolve("b1/music/" + p.clipId() + ".wav")),
                    Files.readAllBytes(dir.resolve("b2/music/" + p.clipId() + ".wav")));
        }
        SyntheticMved.Options other = SyntheticMved.Options.defaults(3, 12).withSize(2, 160, 120);
        assertTrue(!SyntheticMved.plan(other).equals(SyntheticMved.plan(small)), "another seed, another data set");
    }

    @Test
    void positiveClipsAreBrighterAndWarmerThanNegativeOnes() throws Exception {
        double[] bright = new double[3], warm = new double[3];
        int[] n = new int[3];
        for (PairPlan p : plans) {
            DecodedClip c = decode(dir.resolve("a"), p);
            int k = p.polarity().ordinal();
            RgbImage f = c.frames(SMALL).get(0);
            bright[k] += meanBrightness(c);
            warm[k] += f.channelMean(0) - f.channelMean(2);
            n[k]++;
        }
        int pos = Polarity.POSITIVE.ordinal(), neg = Polarity.NEGATIVE.ordinal();
        assertTrue(n[pos] > 2 && n[neg] > 2, "both polarities drawn");
        assertTrue(bright[pos] / n[pos] > bright[neg] / n[neg] + 10,
                "positive " + bright[pos] / n[pos] + " vs negative " + bright[neg] / n[neg]);
        assertTrue(warm[pos] / n[pos] > warm[neg] / n[neg], "positive warmer");
    }

    @Test
    void musicModeFollowsValenceAndLoudnessFollowsArousal() throws Exception {
        int agree = 0, decided = 0;
        double[] rms = new double[plans.size()];
        for (int i = 0; i < plans.size(); i++) {
            PairPlan p = plans.get(i);
            float[] a = AudioDecoder.read(dir.resolve("a/music/" + p.clipId() + ".wav"), 22050);
            rms[i] = rms(a);
            int[] scale = MusicComposer.scaleFor(p.musicValence());
            if (scale == MusicComposer.WHOLE_TONE) continue;
            int tonic = 48 + (int) Math.round(12 * p.detail()) - 12;
            double major = goertzel(a, 22050, MusicComposer.midiHz(tonic + 4));
            double minor = goertzel(a, 22050, MusicComposer.midiHz(tonic + 3));
            decided++;
            if ((major > minor) == (scale == MusicComposer.MAJOR)) agree++;
        }
        assertTrue(decided >= 8, "enough major/minor pieces: " + decided);
        assertEquals(decided, agree, "the drone's third tells major from minor");
        double corr = correlation(plans.stream().mapToDouble(PairPlan::musicArousal).toArray(), rms);
        assertTrue(corr > 0.5, "loudness follows arousal, r=" + corr);
    }

    @Test
    void fasterMotionForHigherArousal() throws Exception {
        double[] motion = new double[plans.size()], arousal = new double[plans.size()];
        for (int i = 0; i < plans.size(); i++) {
            PairPlan p = plans.get(i);
            DecodedClip c = decode(dir.resolve("a"), p);
            List<RgbImage> f = c.frames(SMALL);
            double d = 0;
            for (int k = 1; k < f.size(); k++) {
                float[] x = f.get(k).planes(), y = f.get(k - 1).planes();
                for (int j = 0; j < x.length; j++) d += Math.abs(x[j] - y[j]);
            }
            motion[i] = d / (f.size() - 1) / f.get(0).planes().length / Math.max(1, meanBrightness(c));
            arousal[i] = p.videoArousal();
        }
        double corr = correlation(arousal, motion);
        assertTrue(corr > 0.3, "frame change grows with arousal, r=" + corr);
    }

    static double rms(float[] a) {
        double s = 0;
        for (float v : a) s += v * v;
        return Math.sqrt(s / a.length);
    }

    static double goertzel(float[] a, int rate, double f) {
        double w = 2 * Math.PI * f / rate, c = 2 * Math.cos(w), s1 = 0, s2 = 0;
        for (float v : a) {
            double s = v + c * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        return s1 * s1 + s2 * s2 - c * s1 * s2;
    }

    static double correlation(double[] x, double[] y) {
        double mx = java.util.Arrays.stream(x).average().orElse(0), my = java.util.Arrays.stream(y).average().orElse(0);
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}

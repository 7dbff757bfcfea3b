package dpvm.features;

import dpvm.audio.Mfcc;
import dpvm.audio.VggishLogMel;
import dpvm.media.ClipPacker;
import dpvm.media.DecodedClip;
import dpvm.media.FrameView;
import dpvm.media.KeyFrameSelector;
import dpvm.media.Normalization;
import dpvm.media.PackedClip;
import dpvm.media.RgbImage;
import dpvm.tensor.Autograd;
import dpvm.tensor.Scope;
import dpvm.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns decoded media into the four per-item feature vectors of DPVM's two paths:
 * <ul>
 *   <li>video content: the 3D ResNet's pooled pre-fc vector, averaged over the clip's 16-frame windows;</li>
 *   <li>video emotion: ViViT's [CLS] state over the 16 emotional key frames;</li>
 *   <li>music content: VGGish's 128-d embedding, averaged over the 0.96 s examples;</li>
 *   <li>music emotion: the channel-attention ResNet's pooled vector over the MFCC matrix as a 1-channel image.</li>
 * </ul>
 * Every vector is returned as a 1-d float32 tensor on the CPU, owned by the caller.
 */
public final class FeatureExtractor {
    public static final String CONTENT = "content", EMOTION = "emotion";

    private final Backbones nets;
    private final Normalization videoNorm;
    private final KeyFrameSelector keyFrames;
    private final VggishLogMel logMel = new VggishLogMel();

    public FeatureExtractor(Backbones nets, Normalization videoNorm, KeyFrameSelector keyFrames) {
        this.nets = nets;
        this.videoNorm = videoNorm;
        this.keyFrames = keyFrames;
    }

    public Map<String, Tensor> video(DecodedClip clip) {
        List<RgbImage> small = clip.frames(FrameView.RESNET3D), large = clip.frames(FrameView.VIVIT);
        if (small.isEmpty()) throw new IllegalArgumentException(clip.source() + ": no frames were sampled");
        return run(() -> {
            Tensor sum = null;
            List<PackedClip> windows = ClipPacker.resnet3dClips(small, videoNorm);
            for (PackedClip w : windows) {
                Tensor f = nets.videoContent().features(batchOf(w)).squeeze(0);
                sum = sum == null ? f : sum.add(f);
            }
            Tensor content = sum.div(windows.size());
            List<RgbImage> keys = ClipPacker.pick(large, keyFrames.select(large));
            Tensor emotion = nets.videoEmotion().cls(batchOf(ClipPacker.timeFirst(keys, Normalization.VIVIT))).squeeze(0);
            return features(content, emotion);
        });
    }

    /** Music features from mono audio at 16 kHz (VGGish) and 22.05 kHz (MFCC, librosa's default rate). */
    public Map<String, Tensor> music(float[] audio16k, float[] audio22k, String name) {
        float[][][] examples = logMel.examples(audio16k);
        if (examples.length == 0) {
            throw new IllegalArgumentException(name + ": audio of " + String.format("%.2f", audio16k.length / 16000.0) + " s is shorter than one 0.96 s VGGish example");
        }
        float[][] mfcc = Mfcc.mfcc(audio22k, 22050);
        return run(() -> {
            Tensor patches = Tensor.of(flatten(examples), examples.length, 1, examples[0].length, examples[0][0].length);
            Tensor content = nets.musicContent().embed(patches).mean(0, false);
            Tensor image = Tensor.of(flatten(mfcc), 1, 1, mfcc.length, mfcc[0].length);
            Tensor emotion = nets.musicEmotion().features(image).squeeze(0);
            return features(content, emotion);
        });
    }

    /** Runs a forward pass with no graph, freeing every intermediate, and hands the features to the caller. */
    private static Map<String, Tensor> run(java.util.function.Supplier<Map<String, Tensor>> body) {
        try (Scope s = Scope.open()) {
            Map<String, Tensor> out = Autograd.noGrad(body);
            out.values().forEach(s::keep);
            return out;
        }
    }

    private static Map<String, Tensor> features(Tensor content, Tensor emotion) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(CONTENT, content.contiguous());
        m.put(EMOTION, emotion.contiguous());
        return m;
    }

    private static Tensor batchOf(PackedClip c) {
        return Tensor.of(c.data(), c.shape()).unsqueeze(0);
    }

    private static float[] flatten(float[][] a) {
        int w = a[0].length;
        float[] out = new float[a.length * w];
        for (int i = 0; i < a.length; i++) System.arraycopy(a[i], 0, out, i * w, w);
        return out;
    }

    private static float[] flatten(float[][][] a) {
        int h = a[0].length, w = a[0][0].length;
        float[] out = new float[a.length * h * w];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < h; j++) System.arraycopy(a[i][j], 0, out, (i * h + j) * w, w);
        return out;
    }
}

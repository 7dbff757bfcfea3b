package dpvm.features;

import dpvm.nn.LoadReport;
import dpvm.nn.Module;
import dpvm.nn.StateDicts;
import dpvm.nn.arch.HaraBlock;
import dpvm.nn.arch.ResNet;
import dpvm.nn.arch.ResNet3d;
import dpvm.nn.arch.ResNet3dConfig;
import dpvm.nn.arch.Vggish;
import dpvm.nn.arch.Vivit;
import dpvm.nn.arch.VivitConfig;
import dpvm.nn.io.TensorIO;
import dpvm.tensor.Rng;
import dpvm.tensor.Tensor;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The four feature extractors of DPVM (paper §III): a 3D ResNet for video content, ViViT on emotional key frames
 * for video emotion, VGGish for music content, and a ResNet with channel attention (squeeze-excitation) on MFCCs
 * for music emotion. All in eval mode.
 */
public record Backbones(Preset preset, ResNet3d videoContent, Vivit videoEmotion, Vggish musicContent, ResNet musicEmotion) {

    /** Network sizes: the paper's, or a small set for CPU runs and tests with the same data flow. */
    public enum Preset {
        /** 3D ResNet-101 (shortcut B), ViViT-B with 16 key frames, VGGish, SE-ResNet-101 on 1-channel MFCCs. */
        PAPER,
        /** 3D ResNet-18 (shortcut A) at a quarter width, a 2-layer ViViT of width 64, VGGish, ResNet-18 on MFCCs. */
        SMALL
    }

    /** Weight files looked for in a weights folder, each as .safetensors, .pth or .pt. */
    public static final String[] WEIGHT_NAMES = {"video_content", "video_emotion", "music_content", "music_emotion"};

    public static Backbones create(Preset preset, Rng rng) {
        return switch (preset) {
            case PAPER -> new Backbones(preset,
                    new ResNet3d(ResNet3dConfig.resnet(101, 600), rng),
                    new Vivit(VivitConfig.base().resized(224, 16, new int[] {2, 16, 16}, 768, 12, 12, 3072, false), rng),
                    Vggish.torchvggish(rng),
                    ResNet.resnet101(1, 8, ResNet.Se.LINEAR, rng)).eval();
            case SMALL -> new Backbones(preset,
                    new ResNet3d(new ResNet3dConfig(18, HaraBlock.Shortcut.A, 0, 8, 3, 7, 1, false, true, 112, 16, 0.25), rng),
                    new Vivit(VivitConfig.base().resized(224, 16, new int[] {2, 32, 32}, 64, 2, 4, 128, false), rng),
                    Vggish.torchvggish(rng),
                    ResNet.resnet18(1, 8, rng)).eval();
        };
    }

    private Backbones eval() {
        for (Module m : modules().values()) m.eval();
        return this;
    }

    public Map<String, Module> modules() {
        Map<String, Module> m = new LinkedHashMap<>();
        m.put(WEIGHT_NAMES[0], videoContent);
        m.put(WEIGHT_NAMES[1], videoEmotion);
        m.put(WEIGHT_NAMES[2], musicContent);
        m.put(WEIGHT_NAMES[3], musicEmotion);
        return m;
    }

    /**
     * Loads whichever of {@link #WEIGHT_NAMES} exist in {@code dir} (leniently: classifier heads of other class
     * counts are reported and skipped), strips DataParallel's {@code module.} and HuggingFace's {@code vivit.}
     * prefixes, and reports per backbone. A backbone without a file keeps its seeded initial weights.
     */
    public void loadWeights(Path dir, PrintStream log) {
        for (Map.Entry<String, Module> e : modules().entrySet()) {
            Path file = find(dir, e.getKey());
            if (file == null) {
                log.println(e.getKey() + ": no weights in " + dir + " (untrained, seeded initial weights)");
                continue;
            }
            Map<String, Tensor> sd = TensorIO.load(file);
            sd = StateDicts.stripPrefix(StateDicts.stripPrefix(sd, "module."), "vivit.");
            LoadReport report = e.getValue().loadStateDict(sd, false);
            log.println(e.getKey() + ": " + file.getFileName() + " -> " + (report.isClean() ? "all keys matched" : report.toString()));
        }
    }

    private static Path find(Path dir, String name) {
        if (dir == null) return null;
        for (String ext : new String[] {".safetensors", ".pth", ".pt"}) {
            Path p = dir.resolve(name + ext);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }
}

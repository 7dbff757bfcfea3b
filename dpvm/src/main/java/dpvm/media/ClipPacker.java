package dpvm.media;

import java.util.ArrayList;
import java.util.List;

/** Turns lists of view frames into the layouts the two video backbones take. */
public final class ClipPacker {
    /** Frames per 3D-ResNet clip. */
    public static final int RESNET3D_FRAMES = 16;

    private ClipPacker() {}

    /**
     * Non-overlapping 16-frame windows, each {@code [3,16,H,W]}. A tail shorter than 16 is completed by
     * looping its own frames, and a clip shorter than 16 by looping the clip (the reference code's
     * LoopPadding), so no frame is dropped and every window is full.
     */
    public static List<PackedClip> resnet3dClips(List<RgbImage> frames, Normalization norm) {
        if (frames.isEmpty()) throw new IllegalArgumentException("no frames to pack");
        List<PackedClip> clips = new ArrayList<>();
        for (int start = 0; start < frames.size(); start += RESNET3D_FRAMES) {
            int end = Math.min(start + RESNET3D_FRAMES, frames.size());
            List<RgbImage> window = new ArrayList<>(frames.subList(start, end));
            for (int i = 0; window.size() < RESNET3D_FRAMES; i++) window.add(window.get(i));
            clips.add(channelsFirst(window, norm));
        }
        return clips;
    }

    /** {@code [3,T,H,W]} from the given frames in order. */
    public static PackedClip channelsFirst(List<RgbImage> frames, Normalization norm) {
        int t = frames.size();
        RgbImage f0 = frames.get(0);
        int h = f0.height(), w = f0.width(), plane = h * w;
        float[] out = new float[3 * t * plane];
        for (int i = 0; i < t; i++) {
            RgbImage f = sameSize(frames.get(i), w, h);
            for (int c = 0; c < 3; c++) norm.apply(c, f.planes(), c * plane, out, (c * t + i) * plane, plane);
        }
        return new PackedClip(out, new int[] {3, t, h, w});
    }

    /** {@code [T,3,H,W]}: the layout of HF ViViT's {@code pixel_values} (batch dimension left to the caller). */
    public static PackedClip timeFirst(List<RgbImage> frames, Normalization norm) {
        int t = frames.size();
        RgbImage f0 = frames.get(0);
        int h = f0.height(), w = f0.width(), plane = h * w;
        float[] out = new float[3 * t * plane];
        for (int i = 0; i < t; i++) {
            RgbImage f = sameSize(frames.get(i), w, h);
            for (int c = 0; c < 3; c++) norm.apply(c, f.planes(), c * plane, out, (i * 3 + c) * plane, plane);
        }
        return new PackedClip(out, new int[] {t, 3, h, w});
    }

    /** The frames at the given indices, e.g. the 16 emotional key frames. */
    public static List<RgbImage> pick(List<RgbImage> frames, int[] indices) {
        List<RgbImage> out = new ArrayList<>(indices.length);
        for (int i : indices) out.add(frames.get(i));
        return out;
    }

    private static RgbImage sameSize(RgbImage f, int w, int h) {
        if (f.width() != w || f.height() != h) {
            throw new IllegalArgumentException("frames differ in size: " + f.width() + "x" + f.height() + " vs " + w + "x" + h);
        }
        return f;
    }
}

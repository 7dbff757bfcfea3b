package dpvm.media;

/**
 * One way of turning a decoded frame into a model input: resize so the short side is {@code shortSide}
 * (bilinear), then cut a centred {@code cropWidth x cropHeight} window.
 *
 * @param floorCrop how an odd margin is split. The 3D-ResNet transforms use Python's {@code round}
 *                  (half to even); the Hugging Face ViViT processor uses floor division. They pick
 *                  different pixels on odd margins, so the view says which one it reproduces.
 */
public record FrameView(String name, int shortSide, int cropWidth, int cropHeight, boolean floorCrop) {

    /** 3D ResNet (Hara et al.): short side 112, centre crop 112x112. */
    public static final FrameView RESNET3D = new FrameView("resnet3d", 112, 112, 112, false);

    /** ViViT (HF image processor): shortest edge 256, centre crop 224x224. */
    public static final FrameView VIVIT = new FrameView("vivit", 256, 224, 224, true);

    public FrameView {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("view needs a name");
        if (shortSide <= 0 || cropWidth <= 0 || cropHeight <= 0) {
            throw new IllegalArgumentException("view sizes must be positive: " + this);
        }
    }
}

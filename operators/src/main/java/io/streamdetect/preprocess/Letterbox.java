package io.streamdetect.preprocess;

/**
 * Geometry of Ultralytics' letterbox: scale the image to fit {@code targetWidth × targetHeight} keeping its
 * aspect ratio, then pad it centred. Also maps boxes back to the original frame, as Ultralytics'
 * {@code scale_boxes} does.
 *
 * <p>Ultralytics rounds with Python's {@code round} (half to even) and nudges padding by ±0.1 so that an odd
 * total pad puts the extra pixel bottom/right; {@link Math#rint} reproduces that exactly.
 */
public record Letterbox(int sourceWidth, int sourceHeight, int targetWidth, int targetHeight,
                        double scale, int resizedWidth, int resizedHeight, int padLeft, int padTop) {

    public static Letterbox of(int sourceWidth, int sourceHeight, int targetWidth, int targetHeight) {
        if (sourceWidth <= 0 || sourceHeight <= 0 || targetWidth <= 0 || targetHeight <= 0) {
            throw new IllegalArgumentException("letterbox needs positive sizes, got " + sourceWidth + "x"
                    + sourceHeight + " -> " + targetWidth + "x" + targetHeight);
        }
        double scale = Math.min((double) targetHeight / sourceHeight, (double) targetWidth / sourceWidth);
        int resizedWidth = clamp((int) Math.rint(sourceWidth * scale), targetWidth);
        int resizedHeight = clamp((int) Math.rint(sourceHeight * scale), targetHeight);
        double dw = (targetWidth - resizedWidth) / 2.0;
        double dh = (targetHeight - resizedHeight) / 2.0;
        int padLeft = (int) Math.rint(dw - 0.1);
        int padTop = (int) Math.rint(dh - 0.1);
        return new Letterbox(sourceWidth, sourceHeight, targetWidth, targetHeight, scale, resizedWidth,
                resizedHeight, Math.max(0, padLeft), Math.max(0, padTop));
    }

    private static int clamp(int size, int max) {
        return Math.max(1, Math.min(size, max));
    }

    /** Maps an x in model-input pixels to original-image pixels, clipped to the image. */
    public float toSourceX(float x) {
        return clip((float) ((x - boxPadX()) / scale), sourceWidth);
    }

    /** Maps a y in model-input pixels to original-image pixels, clipped to the image. */
    public float toSourceY(float y) {
        return clip((float) ((y - boxPadY()) / scale), sourceHeight);
    }

    // scale_boxes recomputes the pad from the gain, not from the rounded resize; keep its arithmetic
    private double boxPadX() {
        return Math.rint((targetWidth - sourceWidth * scale) / 2 - 0.1);
    }

    private double boxPadY() {
        return Math.rint((targetHeight - sourceHeight * scale) / 2 - 0.1);
    }

    private static float clip(float v, int max) {
        return Math.max(0f, Math.min(v, max));
    }
}

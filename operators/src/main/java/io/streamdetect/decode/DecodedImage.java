package io.streamdetect.decode;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A decoded 8-bit BGR image in native memory. Owns its OpenCV {@link Mat}; close it to free the pixels.
 */
public final class DecodedImage implements AutoCloseable {
    private final Mat bgr;
    private final ImageFormat format;

    DecodedImage(Mat bgr, ImageFormat format) {
        this.bgr = bgr;
        this.format = format;
    }

    public int width() {
        return bgr.cols();
    }

    public int height() {
        return bgr.rows();
    }

    public ImageFormat format() {
        return format;
    }

    /** The pixels, 8UC3 BGR. Valid until {@link #close()}. */
    public Mat mat() {
        return bgr;
    }

    @Override
    public void close() {
        bgr.close();
    }
}

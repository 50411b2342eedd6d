package io.streamdetect.bench.preprocess;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.streamdetect.decode.DecodedImage;
import io.streamdetect.preprocess.Letterbox;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The baseline: {@code io.streamdetect.preprocess.LetterboxPreprocessor} as it was at commit d5fd3c4, before it
 * wrote rows straight into the batch buffer (it fills a whole-image float scratch with padding, writes the pixels
 * over it, then copies the scratch into the batch). Kept only here, for {@code DecodeLetterboxBenchmark} and for
 * the test that the current preprocessor writes the very same floats.
 */
public final class BaselineLetterboxPreprocessor {
    /** Ultralytics' padding grey, already divided by 255. */
    private static final float PAD_VALUE = 114f / 255f;

    private final int width;
    private final int height;
    private final float[] chw;
    private byte[] row = new byte[0];

    public BaselineLetterboxPreprocessor(int width, int height) {
        this.width = width;
        this.height = height;
        this.chw = new float[3 * width * height];
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Floats one image occupies in the batch buffer. */
    public int imageSize() {
        return chw.length;
    }

    /**
     * Letterboxes {@code image} into slot {@code slot} of {@code batch} (NCHW float, at least
     * {@code (slot + 1) * imageSize()} floats) and returns the geometry needed to map boxes back.
     */
    public Letterbox process(DecodedImage image, FloatBuffer batch, int slot) {
        Letterbox box = Letterbox.of(image.width(), image.height(), width, height);
        Mat src = image.mat();
        if (box.resizedWidth() == src.cols() && box.resizedHeight() == src.rows()) {
            writeChw(src, box);
        } else {
            try (Mat resized = new Mat(); Size size = new Size(box.resizedWidth(), box.resizedHeight())) {
                resize(src, resized, size, 0, 0, INTER_LINEAR);
                writeChw(resized, box);
            }
        }
        batch.put(slot * chw.length, chw);
        return box;
    }

    private void writeChw(Mat bgr, Letterbox box) {
        java.util.Arrays.fill(chw, PAD_VALUE);
        int w = box.resizedWidth();
        int rowBytes = w * 3;
        if (row.length < rowBytes) {
            row = new byte[rowBytes];
        }
        int plane = width * height;
        BytePointer data = bgr.data();
        long step = bgr.step1();
        for (int y = 0; y < box.resizedHeight(); y++) {
            data.position(y * step).get(row, 0, rowBytes);
            int out = (y + box.padTop()) * width + box.padLeft();
            for (int x = 0, i = 0; x < w; x++, i += 3, out++) {
                // BGR in, RGB planes out
                chw[out] = (row[i + 2] & 0xFF) / 255f;
                chw[plane + out] = (row[i + 1] & 0xFF) / 255f;
                chw[2 * plane + out] = (row[i] & 0xFF) / 255f;
            }
        }
        data.position(0);
    }
}

package io.streamdetect.preprocess;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.streamdetect.decode.DecodedImage;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Ultralytics' pre-processing written straight into one slot of a batch buffer: letterbox (bilinear resize,
 * grey 114 padding, centred), BGR to RGB, HWC to CHW, /255 as float32.
 *
 * <p>Each plane row is built in a small float row and copied into the batch buffer once: a batch slot is 4.9 MB at
 * 640×640, and with CPU pre-processing on every core memory traffic is what limits the decode pool, so nothing
 * is written twice (no whole-image scratch, no padding filled and then overwritten).
 *
 * <p>Not thread-safe: it reuses its row buffers. Use one per thread (one per task slot).
 */
public final class LetterboxPreprocessor {
    /** Ultralytics' padding grey, already divided by 255. */
    static final float PAD_VALUE = 114f / 255f;
    /** {@code v / 255f} for every byte value v: a load instead of a float division, with the very same bits. */
    private static final float[] UNIT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT[v] = v / 255f;
        }
    }

    private final int width;
    private final int height;
    /** A padding row, and the red, green and blue rows of the plane row being written (padding at both ends). */
    private final float[] padRow;
    private final float[][] rgbRows;
    private byte[] row = new byte[0];

    /** One per thread (its scratch rows are reused): for callers that letterbox on several threads at once. */
    private static final ThreadLocal<LetterboxPreprocessor> PER_THREAD = new ThreadLocal<>();

    /** This thread's preprocessor for {@code width} x {@code height} inputs, made on first use. */
    public static LetterboxPreprocessor forCurrentThread(int width, int height) {
        LetterboxPreprocessor p = PER_THREAD.get();
        if (p == null || p.width != width || p.height != height) {
            p = new LetterboxPreprocessor(width, height);
            PER_THREAD.set(p);
        }
        return p;
    }

    public LetterboxPreprocessor(int width, int height) {
        this.width = width;
        this.height = height;
        this.padRow = new float[width];
        java.util.Arrays.fill(padRow, PAD_VALUE);
        this.rgbRows = new float[][] {padRow.clone(), padRow.clone(), padRow.clone()};
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Floats one image occupies in the batch buffer. */
    public int imageSize() {
        return 3 * width * height;
    }

    /**
     * Letterboxes {@code image} into slot {@code slot} of {@code batch} (NCHW float, at least
     * {@code (slot + 1) * imageSize()} floats) and returns the geometry needed to map boxes back.
     */
    public Letterbox process(DecodedImage image, FloatBuffer batch, int slot) {
        Letterbox box = Letterbox.of(image.width(), image.height(), width, height);
        Mat src = image.mat();
        if (box.resizedWidth() == src.cols() && box.resizedHeight() == src.rows()) {
            writeChw(src, box, batch, slot * imageSize());
        } else {
            try (Mat resized = new Mat(); Size size = new Size(box.resizedWidth(), box.resizedHeight())) {
                resize(src, resized, size, 0, 0, INTER_LINEAR);
                writeChw(resized, box, batch, slot * imageSize());
            }
        }
        return box;
    }

    /** Writes the three planes of one slot starting at float {@code base}, one row of each plane at a time. */
    private void writeChw(Mat bgr, Letterbox box, FloatBuffer batch, int base) {
        int w = box.resizedWidth();
        int left = box.padLeft();
        int rowBytes = w * 3;
        if (row.length < rowBytes) {
            row = new byte[rowBytes];
        }
        float[] red = rgbRows[0];
        float[] green = rgbRows[1];
        float[] blue = rgbRows[2];
        for (float[] r : rgbRows) { // the previous image may have had narrower side padding
            java.util.Arrays.fill(r, 0, left, PAD_VALUE);
            java.util.Arrays.fill(r, left + w, width, PAD_VALUE);
        }
        int plane = width * height;
        BytePointer data = bgr.data();
        long step = bgr.step1();
        for (int y = 0; y < height; y++) {
            int out = base + y * width;
            int content = y - box.padTop();
            if (content < 0 || content >= box.resizedHeight()) {
                batch.put(out, padRow, 0, width).put(out + plane, padRow, 0, width).put(out + 2 * plane, padRow, 0, width);
                continue;
            }
            data.position(content * step).get(row, 0, rowBytes);
            for (int x = 0, i = 0; x < w; x++, i += 3) {
                // BGR in, RGB planes out
                red[left + x] = UNIT[row[i + 2] & 0xFF];
                green[left + x] = UNIT[row[i + 1] & 0xFF];
                blue[left + x] = UNIT[row[i] & 0xFF];
            }
            batch.put(out, red, 0, width).put(out + plane, green, 0, width).put(out + 2 * plane, blue, 0, width);
        }
        data.position(0);
    }
}

package io.streamdetect.testing;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/** Encoded test images made on the fly, and broken variants of real ones. */
public final class TestImages {
    private TestImages() {}

    /** A solid BGR image encoded as ".jpg" or ".png". */
    public static byte[] solid(int width, int height, int b, int g, int r, String ext) {
        try (Mat mat = new Mat(height, width, CV_8UC3, new Scalar(b, g, r, 0)); BytePointer buf = new BytePointer()) {
            if (!imencode(ext, mat, buf)) {
                throw new IllegalStateException("cannot encode " + ext);
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    public static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bus() {
        return read(SharedFiles.busJpg());
    }

    /** The first {@code fraction} of the bytes, as a broken upload would leave them. */
    public static byte[] truncated(byte[] image, double fraction) {
        return Arrays.copyOf(image, (int) (image.length * fraction));
    }

    /** A JPEG whose frame header claims {@code width × height}, with the original (small) scan data. */
    public static byte[] jpegClaiming(byte[] jpeg, int width, int height) {
        byte[] out = jpeg.clone();
        for (int pos = 2; pos + 9 < out.length; ) {
            int marker = out[pos + 1] & 0xFF;
            int length = ((out[pos + 2] & 0xFF) << 8) | (out[pos + 3] & 0xFF);
            if (marker >= 0xC0 && marker <= 0xC3) {
                out[pos + 5] = (byte) (height >> 8);
                out[pos + 6] = (byte) height;
                out[pos + 7] = (byte) (width >> 8);
                out[pos + 8] = (byte) width;
                return out;
            }
            pos += 2 + length;
        }
        throw new IllegalArgumentException("no frame header");
    }
}

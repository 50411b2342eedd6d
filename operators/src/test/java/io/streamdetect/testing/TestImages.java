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

    /** {@code jpeg} with comment segments after its SOI, {@code extraBytes} or a little more in all. */
    public static byte[] withComments(byte[] jpeg, int extraBytes) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(jpeg.length + extraBytes + 65536);
        out.write(jpeg, 0, 2);
        byte[] body = new byte[65533];
        Arrays.fill(body, (byte) 'c');
        for (int written = 0; written < extraBytes; written += 2 + 65535) {
            out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF});
            out.writeBytes(body);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /**
     * Issue 13's header bomb: {@code FF D8 FF D0 00 06}, a comment segment holding a fake 16x16 frame header, then
     * {@code jpeg}'s own segments with its frame header claiming {@code width × height}. A reader that takes a
     * length after the RST0 marker lands on the fake frame; libjpeg skips RST0 and the two stray bytes, skips the
     * comment and decodes the real size.
     */
    public static byte[] jpegWithHiddenFrame(byte[] jpeg, int width, int height) {
        byte[] fakeFrame = {(byte) 0xFF, (byte) 0xC0, 0, 17, 8, 0, 16, 0, 16, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1};
        byte[] claiming = jpegClaiming(jpeg, width, height);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        out.write(0xFF);
        out.write(0xD0); // RST0: no length follows
        out.write(0x00);
        out.write(0x06); // stray bytes libjpeg skips, read as a length of 6 by a naive reader
        out.write(0xFF);
        out.write(0xFE); // COM
        out.write(0);
        out.write(2 + fakeFrame.length);
        out.writeBytes(fakeFrame);
        out.write(claiming, 2, claiming.length - 2);
        return out.toByteArray();
    }
}

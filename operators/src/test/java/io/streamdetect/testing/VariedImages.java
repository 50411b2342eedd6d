package io.streamdetect.testing;

import static org.bytedeco.opencv.global.opencv_imgcodecs.*;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Real photos (coco8 and bus.jpg) in the encodings a stream meets: as published, re-encoded at low and high
 * quality, with 4:4:4 and 4:2:2 chroma, grey, downscaled, progressive, PNG, and with an EXIF rotation. Made with
 * OpenCV (libjpeg) at test time, so no test images are committed.
 */
public final class VariedImages {
    private VariedImages() {}

    /** Every variant of every source image, by name ("000000000009.jpg/q40"). */
    public static Map<String, byte[]> all() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Path source : sources()) {
            byte[] original = TestImages.read(source);
            String name = source.getFileName().toString();
            out.put(name + "/original", original);
            try (Mat bgr = imdecode(new Mat(new BytePointer(original)), IMREAD_COLOR)) {
                out.put(name + "/q40", jpeg(bgr, IMWRITE_JPEG_QUALITY, 40));
                out.put(name + "/444-q95", jpeg(bgr, IMWRITE_JPEG_QUALITY, 95, IMWRITE_JPEG_SAMPLING_FACTOR,
                        IMWRITE_JPEG_SAMPLING_FACTOR_444));
                out.put(name + "/422", jpeg(bgr, IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_422));
                try (Mat grey = new Mat()) {
                    cvtColor(bgr, grey, COLOR_BGR2GRAY);
                    out.put(name + "/grey", jpeg(grey, IMWRITE_JPEG_QUALITY, 90));
                }
                try (Mat small = new Mat()) {
                    resize(bgr, small, new Size(bgr.cols() / 2, bgr.rows() / 2), 0, 0, INTER_AREA);
                    out.put(name + "/half", jpeg(small, IMWRITE_JPEG_QUALITY, 75));
                }
                out.put(name + "/progressive", jpeg(bgr, IMWRITE_JPEG_PROGRESSIVE, 1));
                out.put(name + "/png", encode(".png", bgr));
            }
            out.put(name + "/exif-rotated", withExifOrientation(original, 6));
        }
        return out;
    }

    /** The coco8 images and bus.jpg. */
    public static List<Path> sources() {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(SharedFiles.coco8().resolve("images"))) {
            walk.filter(p -> p.toString().endsWith(".jpg")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.add(SharedFiles.busJpg());
        return files;
    }

    private static byte[] jpeg(Mat image, int... params) {
        return encode(".jpg", image, params);
    }

    private static byte[] encode(String ext, Mat image, int... params) {
        try (BytePointer buf = new BytePointer(); IntPointer p = new IntPointer(params)) {
            if (!imencode(ext, image, buf, p)) {
                throw new IllegalStateException("cannot encode " + ext);
            }
            byte[] out = new byte[(int) buf.limit()];
            buf.get(out);
            return out;
        }
    }

    /** {@code jpeg} with an EXIF APP1 segment right after SOI whose IFD0 holds only the orientation tag. */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {
                'M', 'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD0 at offset 8
                0, 1, // one entry
                0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, // orientation, SHORT, count 1, value
                0, 0, 0, 0}; // no next IFD
        byte[] exif = {'E', 'x', 'i', 'f', 0, 0};
        int length = 2 + exif.length + tiff.length;
        byte[] out = new byte[jpeg.length + 2 + length];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xD8;
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xE1;
        out[4] = (byte) (length >> 8);
        out[5] = (byte) length;
        System.arraycopy(exif, 0, out, 6, exif.length);
        System.arraycopy(tiff, 0, out, 6 + exif.length, tiff.length);
        System.arraycopy(jpeg, 2, out, 4 + length, jpeg.length - 2);
        return out;
    }
}

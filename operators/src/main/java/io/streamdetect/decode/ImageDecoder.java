package io.streamdetect.decode;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import io.streamdetect.records.ErrorKind;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes JPEG and PNG bytes to BGR pixels with OpenCV, after {@link ImageHeaderReader} has checked format,
 * completeness and the {@link DecodeLimits}. EXIF orientation is applied, as {@code cv2.imread} does.
 * Thread-safe: holds only its limits.
 */
public final class ImageDecoder {
    private final DecodeLimits limits;

    public ImageDecoder(DecodeLimits limits) {
        this.limits = limits;
        OpenCvPixelCap.warnIfLooserThan(limits.maxPixels());
    }

    public DecodeLimits limits() {
        return limits;
    }

    /** Checks the header and limits without decoding. */
    public ImageHeader inspect(byte[] bytes) {
        if (bytes != null) {
            limits.checkBytes(bytes.length);
        }
        ImageHeader header = ImageHeaderReader.read(bytes);
        if (header.pixels() > limits.maxPixels()) {
            throw new PipelineException(ErrorKind.IMAGE_TOO_LARGE, Stage.DECODE, String.format(
                    "%s of %dx%d = %d pixels is over the limit of %d pixels", header.format(), header.width(),
                    header.height(), header.pixels(), limits.maxPixels()));
        }
        return header;
    }

    /**
     * Decodes an image.
     *
     * @throws PipelineException with kind EMPTY_IMAGE, UNSUPPORTED_FORMAT, TRUNCATED_IMAGE, IMAGE_TOO_LARGE or
     *                           DECODE_FAILED
     */
    public DecodedImage decode(byte[] bytes) {
        ImageHeader header = inspect(bytes);
        Mat bgr;
        try (BytePointer data = new BytePointer(bytes); Mat encoded = new Mat(1, bytes.length, CV_8UC1, data)) {
            bgr = imdecode(encoded, IMREAD_COLOR);
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("CV_IO_MAX_IMAGE_")) { // OpenCV's own cap (OpenCvPixelCap)
                throw new PipelineException(ErrorKind.IMAGE_TOO_LARGE, Stage.DECODE, "OpenCV refused the "
                        + header.format() + " as larger than " + OpenCvPixelCap.VARIABLE + "=" + OpenCvPixelCap.current()
                        + " pixels, although its header says " + header.width() + "x" + header.height(), e);
            }
            throw new PipelineException(ErrorKind.DECODE_FAILED, Stage.DECODE,
                    "OpenCV could not decode the " + header.format() + ": " + e.getMessage(), e);
        }
        if (bgr == null || bgr.empty()) {
            if (bgr != null) {
                bgr.close();
            }
            throw new PipelineException(ErrorKind.DECODE_FAILED, Stage.DECODE,
                    "corrupt " + header.format() + ": OpenCV decoded no pixels from " + bytes.length + " bytes");
        }
        if (!sameSize(header, bgr.cols(), bgr.rows())) {
            // the header reader and libjpeg/libpng disagree: the limits were checked against the wrong size
            int w = bgr.cols();
            int h = bgr.rows();
            bgr.close();
            throw new PipelineException(ErrorKind.DECODE_FAILED, Stage.DECODE, String.format(
                    "corrupt %s: OpenCV decoded %dx%d, but the header read before decoding says %dx%d",
                    header.format(), w, h, header.width(), header.height()));
        }
        return new DecodedImage(bgr, header.format());
    }

    /** Equal, or swapped by an EXIF rotation of 90 or 270 degrees. */
    private static boolean sameSize(ImageHeader header, int width, int height) {
        return (width == header.width() && height == header.height())
                || (width == header.height() && height == header.width());
    }
}

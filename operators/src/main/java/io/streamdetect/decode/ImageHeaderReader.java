package io.streamdetect.decode;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import io.streamdetect.records.ErrorKind;

/**
 * Reads format and size from JPEG and PNG headers, and checks that the file is complete, without decoding.
 *
 * <p>Truncated files are rejected rather than decoded with a grey bottom (libjpeg only warns on a premature
 * end): a partial frame gives wrong detections, and the dead-letter output keeps the bytes for inspection.
 * A JPEG is complete when its EOI marker (FF D9) stands at the end, allowing some trailing padding; a PNG
 * when its IEND chunk does.
 */
public final class ImageHeaderReader {
    /** Some encoders and transports append zero padding or junk after EOI / IEND; tolerate that much. */
    static final int MAX_TRAILING_BYTES = 4096;
    private static final byte[] IEND = {'I', 'E', 'N', 'D'};

    private ImageHeaderReader() {}

    public static ImageHeader read(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw fail(ErrorKind.EMPTY_IMAGE, "image is empty (0 bytes)");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == null) {
            throw fail(ErrorKind.UNSUPPORTED_FORMAT,
                    "not a JPEG or PNG image (starts with " + hexPrefix(bytes) + ")");
        }
        return format == ImageFormat.JPEG ? readJpeg(bytes) : readPng(bytes);
    }

    private static ImageHeader readPng(byte[] b) {
        // signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4)
        if (b.length < 24 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw fail(ErrorKind.TRUNCATED_IMAGE, "PNG ends before its IHDR header (" + b.length + " bytes)");
        }
        int width = readInt(b, 16);
        int height = readInt(b, 20);
        checkSize(width, height, "PNG");
        if (lastIndexOf(b, IEND) < 0) {
            throw fail(ErrorKind.TRUNCATED_IMAGE, "PNG is truncated: no IEND chunk at the end (" + b.length + " bytes)");
        }
        return new ImageHeader(ImageFormat.PNG, width, height);
    }

    /**
     * Walks the marker segments from SOI to the first scan (SOS) the way libjpeg does, so that the frame size
     * read here is the one libjpeg decodes: RSTn, TEM and fill bytes stand alone (no length field), and a
     * second frame header is refused, as libjpeg refuses it. Reading a length after a standalone marker once
     * let a comment segment holding a small fake frame header hide the real one (issue 13).
     */
    private static ImageHeader readJpeg(byte[] b) {
        int pos = 2;
        ImageHeader frame = null;
        while (pos + 2 <= b.length) {
            if ((b[pos] & 0xFF) != 0xFF) {
                throw fail(ErrorKind.DECODE_FAILED, "corrupt JPEG: expected a marker at byte " + pos);
            }
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte before a marker
                pos++;
                continue;
            }
            if (isStandalone(marker)) {
                pos += 2;
                continue;
            }
            if (marker == 0x00 || marker == 0xD8 || marker == 0xD9) {
                throw fail(ErrorKind.DECODE_FAILED, String.format(
                        "corrupt JPEG: marker FF %02X at byte %d before the first scan", marker, pos));
            }
            if (pos + 4 > b.length) {
                break;
            }
            int length = ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
            if (length < 2) {
                throw fail(ErrorKind.DECODE_FAILED, "corrupt JPEG: segment length " + length + " at byte " + pos);
            }
            if (isStartOfFrame(marker)) {
                if (frame != null) {
                    throw fail(ErrorKind.DECODE_FAILED, "corrupt JPEG: a second frame header at byte " + pos);
                }
                if (pos + 9 > b.length) {
                    break;
                }
                int height = ((b[pos + 5] & 0xFF) << 8) | (b[pos + 6] & 0xFF);
                int width = ((b[pos + 7] & 0xFF) << 8) | (b[pos + 8] & 0xFF);
                checkSize(width, height, "JPEG");
                frame = new ImageHeader(ImageFormat.JPEG, width, height);
            } else if (marker == 0xDA) { // start of scan: libjpeg decodes the frame declared so far
                if (frame == null) {
                    throw fail(ErrorKind.DECODE_FAILED, "corrupt JPEG: no frame header before scan data");
                }
                if (!hasJpegEnd(b)) {
                    throw fail(ErrorKind.TRUNCATED_IMAGE,
                            "JPEG is truncated: no end-of-image marker (" + b.length + " bytes)");
                }
                return frame;
            }
            pos += 2 + length;
        }
        throw fail(ErrorKind.TRUNCATED_IMAGE, "JPEG ends before its " + (frame == null ? "frame header" : "first scan")
                + " (" + b.length + " bytes)");
    }

    /** RST0..RST7 and TEM carry no length field. */
    private static boolean isStandalone(int marker) {
        return (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01;
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static boolean hasJpegEnd(byte[] b) {
        int stop = Math.max(1, b.length - MAX_TRAILING_BYTES);
        for (int i = b.length - 1; i >= stop; i--) {
            if ((b[i] & 0xFF) == 0xD9 && (b[i - 1] & 0xFF) == 0xFF) {
                return true;
            }
        }
        return false;
    }

    private static int lastIndexOf(byte[] b, byte[] needle) {
        int stop = Math.max(0, b.length - MAX_TRAILING_BYTES - needle.length);
        for (int i = b.length - needle.length; i >= stop; i--) {
            boolean match = true;
            for (int j = 0; j < needle.length && match; j++) {
                match = b[i + j] == needle[j];
            }
            if (match) {
                return i;
            }
        }
        return -1;
    }

    private static void checkSize(int width, int height, String format) {
        if (width <= 0 || height <= 0) {
            throw fail(ErrorKind.DECODE_FAILED, format + " header has an invalid size " + width + "x" + height);
        }
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static String hexPrefix(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(4, b.length); i++) {
            s.append(String.format("%02X ", b[i] & 0xFF));
        }
        return s.toString().trim();
    }

    private static PipelineException fail(ErrorKind kind, String message) {
        return new PipelineException(kind, Stage.DECODE, message);
    }
}

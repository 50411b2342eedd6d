package io.streamdetect.preprocess.gpu;

/**
 * Decides from a JPEG's markers, before anything goes to the GPU, whether nvJPEG's batched decode gives the
 * same pixels as the CPU path (OpenCV/libjpeg), or the image must take the CPU path. The GPU path takes
 * sequential Huffman JPEGs (SOF0/SOF1, which nvJPEG's hardware decoder also takes) with 8-bit samples and 1 or
 * 3 components in YCbCr or grey. It leaves to the CPU what it would decode differently or not at all:
 * <ul>
 *   <li>progressive, lossless, hierarchical and arithmetic-coded JPEGs (SOF2, SOF3, SOF5..7, SOF9..15);</li>
 *   <li>12-bit samples; CMYK and YCCK (4 components);</li>
 *   <li>3 components that are RGB, not YCbCr (an Adobe APP14 transform 0, or component ids 'R','G','B'),
 *       which libjpeg honours;</li>
 *   <li>chroma sampling other than 4:4:4, 4:2:2 and 4:2:0 (4:4:0, 4:1:1, ...), and images under 8×8 pixels;</li>
 *   <li>an EXIF orientation other than 1: the CPU path rotates the image as {@code cv2.imread} does.</li>
 * </ul>
 * Malformed headers also go to the CPU path, whose decoder reports them precisely.
 */
public final class JpegGpuSupport {
    private static final int EXIF_ORIENTATION_TAG = 0x0112;
    /** libjpeg upsamples chroma of images up to 4 pixels wide without its interpolation: left to the CPU. */
    static final int MIN_SIDE = 8;

    private JpegGpuSupport() {}

    /** Null when the GPU path takes this JPEG; else why the CPU path must. */
    public static String cpuReason(byte[] b) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
            return "not a JPEG";
        }
        boolean frameSeen = false;
        int pos = 2;
        while (pos + 4 <= b.length) {
            if ((b[pos] & 0xFF) != 0xFF) {
                return "malformed marker segment";
            }
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++;
                continue;
            }
            int length = u16(b, pos + 2);
            int body = pos + 4;
            if (length < 2 || pos + 2 + length > b.length) {
                return "malformed marker segment";
            }
            if (marker == 0xDA) { // start of scan: every header that matters came before it
                return frameSeen ? null : "no frame header before the scan";
            }
            if (isStartOfFrame(marker)) {
                String frame = frameReason(marker, b, body, length - 2);
                if (frame != null) {
                    return frame;
                }
                frameSeen = true;
            } else if (marker == 0xEE && length >= 14 && ascii(b, body, "Adobe") && (b[body + 11] & 0xFF) != 1) {
                return "Adobe colour transform " + (b[body + 11] & 0xFF) + " (RGB or YCCK, not YCbCr)";
            } else if (marker == 0xE1 && length >= 16 && ascii(b, body, "Exif\0\0")) {
                int orientation = exifOrientation(b, body + 6, pos + 2 + length);
                if (orientation > 1) {
                    return "EXIF orientation " + orientation + " (rotated on the CPU)";
                }
            }
            pos += 2 + length;
        }
        return "no scan data";
    }

    private static String frameReason(int marker, byte[] b, int body, int length) {
        if (marker != 0xC0 && marker != 0xC1) {
            return String.format("SOF%d frame (%s)", marker - 0xC0, marker == 0xC2 ? "progressive" : "not sequential Huffman");
        }
        if (length < 6) {
            return "malformed frame header";
        }
        int precision = b[body] & 0xFF;
        int components = b[body + 5] & 0xFF;
        if (precision != 8) {
            return precision + "-bit samples";
        }
        if (components != 1 && components != 3) {
            return components + " components (CMYK or YCCK)";
        }
        if (length < 6 + 3 * components) {
            return "malformed frame header";
        }
        int height = u16(b, body + 1);
        int width = u16(b, body + 3);
        if (width < MIN_SIDE || height < MIN_SIDE) {
            return "smaller than " + MIN_SIDE + "x" + MIN_SIDE + " pixels";
        }
        if (components == 3 && b[body + 6] == 'R' && b[body + 9] == 'G' && b[body + 12] == 'B') {
            return "RGB components (not YCbCr)";
        }
        return components == 3 ? samplingReason(b[body + 7] & 0xFF, b[body + 10] & 0xFF, b[body + 13] & 0xFF) : null;
    }

    /**
     * The letterbox kernel upsamples chroma as libjpeg does for 4:4:4, 4:2:2 and 4:2:0 (Cb and Cr sampled alike,
     * luma at 1 or 2 times their rate horizontally, 1 or 2 times vertically but not vertically alone).
     */
    private static String samplingReason(int luma, int cb, int cr) {
        int lh = luma >> 4;
        int lv = luma & 15;
        int ch = cb >> 4;
        int cv = cb & 15;
        boolean handled = cb == cr && ch > 0 && cv > 0 && lh % ch == 0 && lv % cv == 0
                && switch (lh / ch * 10 + lv / cv) {
                    case 11, 21, 22 -> true;
                    default -> false;
                };
        return handled ? null : String.format("chroma sampling Y %dx%d, Cb %dx%d, Cr %dx%d", lh, lv, ch, cv, cr >> 4, cr & 15);
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /** The orientation tag of IFD0 in a TIFF structure at {@code tiff}; 1 (as recorded) when absent or unreadable. */
    static int exifOrientation(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return 1;
        }
        boolean little = b[tiff] == 'I' && b[tiff + 1] == 'I';
        if (!little && !(b[tiff] == 'M' && b[tiff + 1] == 'M')) {
            return 1;
        }
        long ifd = tiff + u32(b, tiff + 4, little);
        if (ifd + 2 > end) {
            return 1;
        }
        int entries = u16(b, (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > end) {
                return 1;
            }
            if (u16(b, entry, little) == EXIF_ORIENTATION_TAG) {
                return u16(b, entry + 8, little); // SHORT value, left-justified in the 4-byte value field
            }
        }
        return 1;
    }

    private static boolean ascii(byte[] b, int at, String text) {
        if (at + text.length() > b.length) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (b[at + i] != (byte) text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int at) {
        return u16(b, at, false);
    }

    private static int u16(byte[] b, int at, boolean little) {
        int hi = b[at] & 0xFF;
        int lo = b[at + 1] & 0xFF;
        return little ? (lo << 8) | hi : (hi << 8) | lo;
    }

    private static long u32(byte[] b, int at, boolean little) {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (b[at + (little ? 3 - i : i)] & 0xFF);
        }
        return v;
    }
}

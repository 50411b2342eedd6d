package io.streamdetect.decode;

/** The encoded formats the decoder accepts, recognised by their signature bytes, not by file name. */
public enum ImageFormat {
    JPEG, PNG;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** The format whose signature starts {@code bytes}, or null when it is neither JPEG nor PNG. */
    public static ImageFormat sniff(byte[] bytes) {
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (bytes.length >= PNG_SIGNATURE.length) {
            for (int i = 0; i < PNG_SIGNATURE.length; i++) {
                if (bytes[i] != PNG_SIGNATURE[i]) {
                    return null;
                }
            }
            return PNG;
        }
        return null;
    }
}

package io.streamdetect.decode;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import io.streamdetect.records.ErrorKind;
import java.io.Serializable;

/**
 * Bounds checked before any pixel is decoded, so that a small file claiming a huge size (a decompression
 * bomb) is refused from its header.
 *
 * @param maxBytes  largest encoded image accepted, in bytes
 * @param maxPixels largest width × height accepted
 */
public record DecodeLimits(long maxBytes, long maxPixels) implements Serializable {
    /** 32 MiB and 40 megapixels: above any camera frame, far below what would exhaust a TaskManager. */
    public static final DecodeLimits DEFAULT = new DecodeLimits(32L << 20, 40_000_000L);

    public DecodeLimits {
        if (maxBytes <= 0 || maxPixels <= 0) {
            throw new IllegalArgumentException("decode limits must be positive: " + maxBytes + " bytes, " + maxPixels + " pixels");
        }
    }

    /** Refuses an encoded image of {@code length} bytes when it is over {@link #maxBytes}, before it is read. */
    public void checkBytes(long length) {
        if (length > maxBytes) {
            throw new PipelineException(ErrorKind.IMAGE_TOO_LARGE, Stage.DECODE,
                    "image is " + length + " bytes, over the limit of " + maxBytes + " bytes");
        }
    }
}

package io.streamdetect.decode;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenCV's own decompression-bomb cap, the second line of defence behind {@link ImageHeaderReader}.
 *
 * <p>OpenCV's imgcodecs refuses images over {@code OPENCV_IO_MAX_IMAGE_PIXELS} (default 2^30) before it
 * allocates their pixels. It reads that environment variable once, in a static initializer, when its native
 * library loads, and the JavaCPP 4.10 presets map no setter; a running JVM cannot change its own C
 * environment. So the cap can only be set by whoever starts the JVM ({@code bin/streamdetect} does; on a
 * cluster, the TaskManagers' environment). This class says so once per JVM when it is missing or looser than
 * the configured pixel limit; {@link ImageDecoder} also checks every decoded size against the header.
 */
final class OpenCvPixelCap {
    static final String VARIABLE = "OPENCV_IO_MAX_IMAGE_PIXELS";
    private static final Logger LOG = LoggerFactory.getLogger(OpenCvPixelCap.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private OpenCvPixelCap() {}

    /** OpenCV's cap in this process: the variable when set to a number, else OpenCV's default of 2^30. */
    static long current() {
        String value = System.getenv(VARIABLE);
        if (value != null) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                return 1L << 30; // OpenCV falls back to its default (after its own error message)
            }
        }
        return 1L << 30;
    }

    static void warnIfLooserThan(long maxPixels) {
        long cap = current();
        if (cap > maxPixels && WARNED.compareAndSet(false, true)) {
            LOG.warn("{}={} lets OpenCV allocate images larger than decode.max-pixels ({}); set {}={} in the "
                    + "environment of this JVM (TaskManagers) as a second line of defence against decompression bombs",
                    VARIABLE, System.getenv(VARIABLE) == null ? "(unset, OpenCV's default 1073741824)" : cap,
                    maxPixels, VARIABLE, maxPixels);
        }
    }
}

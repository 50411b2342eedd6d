package io.streamdetect.batching;

import java.util.Locale;

/**
 * How long a micro-batch that is not full waits for more images ({@code batch.wait}); a full batch always closes
 * at once.
 */
public enum BatchWait {
    /**
     * Wait only while the engine is busy: a batch closes as soon as the engine is idle (no batch running or ready),
     * and waits up to {@code batch.max-delay} only while another batch is in the engine, which it could not start
     * before anyway. A lone image at low load runs at once; under load batches stay full.
     */
    ADAPTIVE,
    /** Wait up to {@code batch.max-delay} after the batch's first image, even when the engine is idle (the old rule). */
    FIXED;

    public static BatchWait parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown batch wait '" + text + "': use adaptive or fixed");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

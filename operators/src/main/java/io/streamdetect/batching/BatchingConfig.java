package io.streamdetect.batching;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a micro-batch runs: as soon as {@code maxBatchSize} images are ready, or when the oldest has waited
 * {@code maxBatchDelay}, whichever comes first.
 */
public record BatchingConfig(int maxBatchSize, Duration maxBatchDelay) implements Serializable {
    public static final BatchingConfig DEFAULT = new BatchingConfig(8, Duration.ofMillis(5));

    public BatchingConfig {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
        }
        if (maxBatchDelay.isNegative()) {
            throw new IllegalArgumentException("maxBatchDelay must not be negative, got " + maxBatchDelay);
        }
    }
}

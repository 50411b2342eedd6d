package io.streamdetect.batching;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a micro-batch runs: as soon as {@code maxBatchSize} images are ready; else, by {@code batchWait}, at once when the
 * engine is idle ({@link BatchWait#ADAPTIVE}, the default) or when the oldest has waited {@code maxBatchDelay}
 * ({@link BatchWait#FIXED}; adaptive waits that long at most, while the engine is busy); and how many threads decode
 * a batch's images on the CPU.
 *
 * @param decodeThreads threads of the TaskManager's shared {@link DecodePool} that decode a batch's images in
 *                      parallel; 1 decodes on the slot's own prepare thread; {@link #AUTO_DECODE_THREADS} picks by
 *                      engine (see {@link #decodeThreadsFor})
 */
public record BatchingConfig(int maxBatchSize, Duration maxBatchDelay, int decodeThreads, BatchWait batchWait)
        implements Serializable {
    public static final int AUTO_DECODE_THREADS = 0;
    public static final BatchingConfig DEFAULT = new BatchingConfig(8, Duration.ofMillis(5));

    public BatchingConfig {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
        }
        if (maxBatchDelay.isNegative()) {
            throw new IllegalArgumentException("maxBatchDelay must not be negative, got " + maxBatchDelay);
        }
        if (decodeThreads < 0) {
            throw new IllegalArgumentException("decodeThreads must be 0 (automatic) or more, got " + decodeThreads);
        }
        if (batchWait == null) {
            throw new IllegalArgumentException("batchWait must be adaptive or fixed, got null");
        }
    }

    /** Adaptive waiting ({@link BatchWait#ADAPTIVE}). */
    public BatchingConfig(int maxBatchSize, Duration maxBatchDelay, int decodeThreads) {
        this(maxBatchSize, maxBatchDelay, decodeThreads, BatchWait.ADAPTIVE);
    }

    /** Decode threads chosen by engine ({@link #AUTO_DECODE_THREADS}), adaptive waiting. */
    public BatchingConfig(int maxBatchSize, Duration maxBatchDelay) {
        this(maxBatchSize, maxBatchDelay, AUTO_DECODE_THREADS);
    }

    /**
     * The decode threads to use with an engine that computes on the CPU ({@code engineOnCpu}, ONNX Runtime) or not.
     * Automatic: every core for a GPU engine, whose CPU is otherwise idle (one decode thread fed a GPU 3% of what it
     * can take); one for a CPU engine, which already uses every core for inference, where decoding is ~10% of an
     * image's cost, so that decoding does not take cores from it.
     */
    public int decodeThreadsFor(boolean engineOnCpu) {
        if (decodeThreads != AUTO_DECODE_THREADS) {
            return decodeThreads;
        }
        return engineOnCpu ? 1 : Runtime.getRuntime().availableProcessors();
    }

    /** This configuration with {@code batchWait} instead of its own. */
    public BatchingConfig withWait(BatchWait wait) {
        return new BatchingConfig(maxBatchSize, maxBatchDelay, decodeThreads, wait);
    }
}

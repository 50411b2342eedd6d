package io.streamdetect.batching;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a micro-batch runs: as soon as {@code maxBatchSize} images are ready; else, by {@code batchWait}, at once when the
 * engine is idle ({@link BatchWait#ADAPTIVE}, the default) or when the oldest has waited {@code maxBatchDelay}
 * ({@link BatchWait#FIXED}; adaptive waits that long at most, while the engine is busy); and how many threads decode
 * a batch's images on the CPU; and, with GPU pre-processing, how long a full batch's launch waits for the next batch's
 * decode to be submitted first.
 *
 * @param decodeThreads  threads of the TaskManager's shared {@link DecodePool} that decode a batch's images in
 *                       parallel; 1 decodes on the slot's own prepare thread; {@link #AUTO_DECODE_THREADS} picks by
 *                       engine (see {@link #decodeThreadsFor})
 * @param gpuDecodeHold  with GPU pre-processing, how long the inference thread holds a batch's launch while the
 *                       prepare thread gathers the next batch (one that will be full) or has been decoding it for less
 *                       than this, at most twice this, so that nvJPEG's decode is submitted before the engine's run
 *                       and the two overlap ({@link DecodeFirst}); zero launches at once
 * @param idleSpin       how long the prepare thread busy-polls for the next image after a batch before it parks
 *                       ({@link HandOffSpins}): a lone image then skips that thread's wake-up, for up to a core per
 *                       slot kept busy while images come at least this often; zero (the default) parks at once
 */
public record BatchingConfig(int maxBatchSize, Duration maxBatchDelay, int decodeThreads, BatchWait batchWait,
                             Duration gpuDecodeHold, Duration idleSpin) implements Serializable {
    public static final int AUTO_DECODE_THREADS = 0;
    /**
     * 1 ms: on an H200 it took a saturated slot from 0.75x to 0.82x of compute-only in {@code bench} and the streaming
     * job from 0.76x to 0.80x, with p99 at 10% and 50% load within 0.3 ms of no hold (docs/benchmarks.md, session 7).
     */
    public static final Duration DEFAULT_GPU_DECODE_HOLD = Duration.ofMillis(1);
    /** The longest hold accepted: a hold is spun on the inference thread, for every full batch. */
    public static final Duration MAX_GPU_DECODE_HOLD = Duration.ofMillis(10);
    /** The longest idle spin accepted: images a second apart gain nothing from a spinning core. */
    public static final Duration MAX_IDLE_SPIN = Duration.ofSeconds(1);
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
        if (gpuDecodeHold == null) { // a configuration serialized before the hold was a setting (a recovered job graph)
            gpuDecodeHold = DEFAULT_GPU_DECODE_HOLD;
        }
        if (gpuDecodeHold.isNegative() || gpuDecodeHold.compareTo(MAX_GPU_DECODE_HOLD) > 0) {
            throw new IllegalArgumentException("gpuDecodeHold must be from 0 (no hold) to " + MAX_GPU_DECODE_HOLD.toMillis()
                    + " ms, got " + gpuDecodeHold);
        }
        if (idleSpin == null) { // a configuration serialized before the spin was a setting (a recovered job graph)
            idleSpin = Duration.ZERO;
        }
        if (idleSpin.isNegative() || idleSpin.compareTo(MAX_IDLE_SPIN) > 0) {
            throw new IllegalArgumentException("idleSpin must be from 0 (park at once) to " + MAX_IDLE_SPIN.toMillis()
                    + " ms, got " + idleSpin);
        }
    }

    /** No idle spin. */
    public BatchingConfig(int maxBatchSize, Duration maxBatchDelay, int decodeThreads, BatchWait batchWait,
                          Duration gpuDecodeHold) {
        this(maxBatchSize, maxBatchDelay, decodeThreads, batchWait, gpuDecodeHold, Duration.ZERO);
    }

    /** The default {@link #gpuDecodeHold}. */
    public BatchingConfig(int maxBatchSize, Duration maxBatchDelay, int decodeThreads, BatchWait batchWait) {
        this(maxBatchSize, maxBatchDelay, decodeThreads, batchWait, DEFAULT_GPU_DECODE_HOLD);
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
        return new BatchingConfig(maxBatchSize, maxBatchDelay, decodeThreads, wait, gpuDecodeHold, idleSpin);
    }

    /** This configuration with {@code spin} as its {@link #idleSpin}. */
    public BatchingConfig withIdleSpin(Duration spin) {
        return new BatchingConfig(maxBatchSize, maxBatchDelay, decodeThreads, batchWait, gpuDecodeHold, spin);
    }
}

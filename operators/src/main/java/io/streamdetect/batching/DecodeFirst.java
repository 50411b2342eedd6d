package io.streamdetect.batching;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders a slot's GPU work so that decoding overlaps inference. nvJPEG's hardware decode of a batch waits for the GPU
 * work submitted before it, whatever its stream, but not for work submitted after it (an H200 with TensorRT 10.6 and
 * the CUDA 12.6 nvJPEG; docs/benchmarks.md, session 5). Launched first, the engine's batch makes the next batch's
 * decode wait for all of it, and decoding and inference take turns: 0.71-0.76x of compute-only end to end in {@code
 * bench}. With a hold, the inference thread, about to launch a batch, waits while the prepare thread gathers the next
 * one (from its first image, through waits for a buffer or for company) or has been in its decode for less than the
 * hold: 0.82-0.84x with holds of 0.5-2 ms in {@code bench}, and the streaming job at 0.80x against 0.76x (session 7).
 *
 * <p>Only a batch that will be full is held for: one whose first image finds at least a batch of images queued. At
 * low and medium load images trickle in, and a hold would only add latency (an earlier form held for every batch and
 * raised p99 at 10% of the maximum rate to 7.2 ms, against 5.3-5.8 ms; this form measured 6.2 against 5.9 ms, and
 * 10.0 against 10.2 ms at 50%, in one lease).
 *
 * <p>The hold is a time because nvJPEG gives no signal: it parses and stages the batch on the host and then submits
 * its device work, inside one blocking call. A hold never lasts more than twice its time. One per {@link
 * MicroBatcher}, sized by {@link BatchingConfig#gpuDecodeHold} ({@code batch.gpu-decode-hold}): the prepare thread
 * reports what it does, the inference thread calls {@link #awaitDecodeSubmitted} before each launch.
 */
final class DecodeFirst {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFirst.class);

    private enum Activity { IDLE, GATHERING, DECODING }

    private final long holdNanos;
    private final LongSupplier clock;
    private volatile Activity activity = Activity.IDLE;
    private volatile long decodingSinceNanos;

    /** The system property that set the hold before it became {@code batch.gpu-decode-hold}; no longer read. */
    static final String REMOVED_PROPERTY = "streamdetect.batching.gpu-hold-us";

    /** {@code hold} for a batcher with GPU pre-processing; none without (the CPU path decodes on the host). */
    static DecodeFirst forBatcher(boolean gpuPreprocessing, Duration hold) {
        if (System.getProperty(REMOVED_PROPERTY) != null) {
            LOG.warn("-D{} is no longer read: set batch.gpu-decode-hold (e.g. -D batch.gpu-decode-hold=0ms on the "
                    + "job, bench --gpu-decode-hold-us 0) instead; this batcher holds for {} us", REMOVED_PROPERTY,
                    gpuPreprocessing ? hold.toNanos() / 1000 : 0);
        }
        long nanos = gpuPreprocessing ? hold.toNanos() : 0;
        if (nanos > 0) {
            LOG.info("inference holds each batch for up to {} us while the next full batch gathers or starts its GPU "
                    + "decode (batch.gpu-decode-hold {} us; 0 turns it off)", 2 * nanos / 1000, nanos / 1000);
        }
        return new DecodeFirst(nanos, System::nanoTime);
    }

    DecodeFirst(long holdNanos, LongSupplier clock) {
        this.holdNanos = holdNanos;
        this.clock = clock;
    }

    long holdNanos() {
        return holdNanos;
    }

    /** Whether the prepare thread is in a state the inference thread would hold for (gathering or decoding). */
    boolean preparing() {
        return activity != Activity.IDLE;
    }

    /** Prepare thread: a batch that will be full and decoded on the GPU has its first image. */
    void gathering() {
        activity = Activity.GATHERING;
    }

    /** Prepare thread: entering the GPU decode of a batch; a hold counts from here if it was gathering one. */
    void decoding() {
        if (activity == Activity.GATHERING) { // only the prepare thread writes the activity
            decodingSinceNanos = clock.getAsLong();
            activity = Activity.DECODING;
        }
    }

    /** Prepare thread: done with a batch's decode (or the batch was dropped), so no decode is coming. */
    void idle() {
        activity = Activity.IDLE;
    }

    /**
     * Inference thread, before launching a batch: returns once the prepare thread is idle or has been in its decode
     * for the hold, and at the latest after twice the hold. Spins: the holds are a millisecond or two, shorter than
     * a park's wake-up is precise.
     */
    void awaitDecodeSubmitted() {
        if (holdNanos == 0) {
            return;
        }
        long start = clock.getAsLong();
        long now = start;
        while (now - start < 2 * holdNanos) {
            Activity a = activity;
            if (a == Activity.IDLE || a == Activity.DECODING && now - decodingSinceNanos >= holdNanos) {
                return;
            }
            Thread.onSpinWait();
            now = clock.getAsLong();
        }
    }
}

package io.streamdetect.batching;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders a slot's GPU work so that decoding overlaps inference: an experiment, off by default. nvJPEG's hardware
 * decode of a batch waits for the GPU work submitted before it, whatever its stream, but not for work submitted after
 * it (an H200 with TensorRT 10.6 and the CUDA 12.6 nvJPEG; docs/benchmarks.md, session 5). Launched first, the
 * engine's batch makes the next batch's decode wait for all of it, and decoding and inference take turns: 0.71-0.76x
 * of compute-only end to end in {@code bench}. With a hold, the inference thread, about to launch a batch, waits while
 * the prepare thread gathers the next one (from its first image, through waits for a buffer or for company) or has
 * been in its decode for less than the hold: 0.82-0.84x with holds of 0.5-2 ms.
 *
 * <p>Only a batch that will be full is held for: one whose first image finds at least a batch of images queued. At
 * low and medium load images trickle in, and a hold would only add latency (an earlier form held for every batch
 * and raised p99 at 10% of the maximum rate to 7.2 ms, against 5.3-5.8 ms). That condition came after the last
 * measurement and has not run on a GPU; saturated, it holds as the measured form did.
 *
 * <p>Off by default because what it costs is not settled: one streaming job run with the measured form did not
 * finish in 140 s when the device time ran out (another finished at 0.77x against 0.72x).
 *
 * <p>The hold is a time because nvJPEG gives no signal: it parses and stages the batch on the host and then submits
 * its device work, inside one blocking call. A hold never lasts more than twice its time. One per {@link
 * MicroBatcher}: the prepare thread reports what it does, the inference thread calls {@link #awaitDecodeSubmitted}
 * before each launch.
 */
final class DecodeFirst {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFirst.class);
    /** System property: the hold in microseconds, 1000 in the measurements; 0 (the default) launches at once. */
    static final String HOLD_PROPERTY = "streamdetect.batching.gpu-hold-us";
    static final long DEFAULT_HOLD_MICROS = 0;

    private enum Activity { IDLE, GATHERING, DECODING }

    private final long holdNanos;
    private final LongSupplier clock;
    private volatile Activity activity = Activity.IDLE;
    private volatile long decodingSinceNanos;

    /** The longest hold accepted: holds are spent spinning on the inference thread, for every batch. */
    static final long MAX_HOLD_MICROS = 10_000;

    /** The hold from {@value #HOLD_PROPERTY}, for a batcher with GPU pre-processing; none without. */
    static DecodeFirst forBatcher(boolean gpuPreprocessing) {
        long micros = gpuPreprocessing ? holdMicros(System.getProperty(HOLD_PROPERTY)) : 0;
        if (micros > 0) {
            LOG.info("inference holds each batch up to {} us for the next batch's decode (-D{}, an experiment)",
                    2 * micros, HOLD_PROPERTY);
        }
        return new DecodeFirst(micros * 1000L, System::nanoTime);
    }

    /** {@code value} of {@value #HOLD_PROPERTY}: whole microseconds, 0 to {@value #MAX_HOLD_MICROS}; null is 0. */
    static long holdMicros(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_HOLD_MICROS;
        }
        long micros;
        try {
            micros = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            micros = -1;
        }
        if (micros < 0 || micros > MAX_HOLD_MICROS) {
            throw new IllegalArgumentException("-D" + HOLD_PROPERTY + "=" + value + ": give whole microseconds from 0 "
                    + "(no hold, the default) to " + MAX_HOLD_MICROS + ", such as 1000");
        }
        return micros;
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

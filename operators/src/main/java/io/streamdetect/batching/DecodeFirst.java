package io.streamdetect.batching;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders a slot's GPU work so that decoding overlaps inference. nvJPEG's hardware decode of a batch waits for the GPU
 * work submitted before its decode call returns, whatever its stream, but not for work submitted after (an H200 with
 * TensorRT 10.6 and the CUDA 12.6 nvJPEG; docs/benchmarks.md, sessions 5 and 8). Launched first, the engine's batch
 * makes the next batch's decode wait for all of it, and decoding and inference take turns: 0.71-0.76x of compute-only
 * end to end in {@code bench}. So the inference thread, about to launch a batch, holds it while the prepare thread
 * gathers the next one (from its first image, through waits for a buffer) and until that batch's decode call has
 * returned: each batch carries a ticket, the count of decodes submitted when its own was ({@link #submittedCount}),
 * and the hold ends when the count passes it.
 *
 * <p>Two holds. While the GPU is idle ({@link #awaitDecodeSubmitted}) a hold costs GPU time, so it lasts at most twice
 * {@code batch.gpu-decode-hold}, and only a batch that will be full is held for: one whose first image finds at least
 * a batch of images queued (at low and medium load images trickle in, and a hold would only add latency). While the
 * GPU still runs the batch before ({@link #awaitSuccessorSubmitted}), waiting costs nothing, and the next batch is
 * queued behind the running one only once the decode after it is in; otherwise it waits for the GPU to go idle.
 * Session 8 queued without this rule and lost throughput: 0.71-0.73x against 0.76-0.84x in {@code bench}.
 *
 * <p>One per {@link MicroBatcher}, sized by {@link BatchingConfig#gpuDecodeHold} ({@code batch.gpu-decode-hold}; 0
 * launches at once and never queues behind a running batch): the prepare thread reports what it does, the inference
 * thread calls the holds before each launch.
 */
final class DecodeFirst {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFirst.class);
    /** How often a hold asks whether the GPU still runs the batch before: each ask is a CUDA call. */
    private static final long GPU_QUERY_NANOS = 20_000;

    private enum Activity { IDLE, GATHERING }

    private final long holdNanos;
    private final LongSupplier clock;
    private volatile Activity activity = Activity.IDLE;
    /** GPU decodes submitted so far; written by the prepare thread only. */
    private volatile long submitted;

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
            LOG.info("inference holds each full batch's launch until the next batch's GPU decode is submitted, for up "
                    + "to {} us while the GPU is idle (batch.gpu-decode-hold {} us; 0 turns it off)", 2 * nanos / 1000,
                    nanos / 1000);
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

    /** Whether the prepare thread is gathering a batch the inference thread would hold for. */
    boolean preparing() {
        return activity != Activity.IDLE;
    }

    /** Prepare thread: a batch that will be full and decoded on the GPU has its first image. */
    void gathering() {
        activity = Activity.GATHERING;
    }

    /** Prepare thread: a batch's GPU decode is submitted (nvJPEG's call returned). */
    void submitted() {
        submitted++; // only the prepare thread writes it
    }

    /** Prepare thread: done with a batch (or it was dropped), so no decode is coming. */
    void idle() {
        activity = Activity.IDLE;
    }

    /** The decodes submitted so far: a batch's ticket, taken once its own decode is submitted. */
    long submittedCount() {
        return submitted;
    }

    /**
     * Inference thread, the GPU idle, before launching the batch with {@code ticket}: returns once the next batch's
     * decode is submitted or the prepare thread is idle, and at the latest after twice the hold. Spins: the holds are
     * a millisecond or two, shorter than a park's wake-up is precise.
     */
    void awaitDecodeSubmitted(long ticket) {
        if (holdNanos == 0) {
            return;
        }
        long start = clock.getAsLong();
        long now = start;
        while (now - start < 2 * holdNanos && submitted <= ticket && activity != Activity.IDLE) {
            Thread.onSpinWait();
            now = clock.getAsLong();
        }
    }

    /**
     * Inference thread, while {@code gpuBusy} says the batch before still runs: whether the decode after the batch
     * with {@code ticket} has been submitted, so that batch may be queued behind the running one; false once the GPU
     * went idle first (the batch is then launched as usual), and at once when there is no hold. Parks between looks:
     * the GPU is busy meanwhile, so a late look costs no GPU time.
     */
    boolean awaitSuccessorSubmitted(long ticket, BooleanSupplier gpuBusy) {
        if (holdNanos == 0) {
            return false;
        }
        while (submitted <= ticket) {
            if (!gpuBusy.getAsBoolean()) {
                return submitted > ticket;
            }
            LockSupport.parkNanos(GPU_QUERY_NANOS);
        }
        return true;
    }
}

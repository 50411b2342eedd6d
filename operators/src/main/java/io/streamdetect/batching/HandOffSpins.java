package io.streamdetect.batching;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Busy-polls a micro-batcher's hand-off queues where a parked thread's wake-up would add to a lone image's latency
 * ({@link BatchingConfig#idleSpin}, {@code batch.idle-spin}; issue 18). A lone image passes two hand-offs before the
 * engine: the submitting thread to the prepare thread, the prepare thread to the inference thread. A thread parked in
 * a queue wakes some tens of microseconds after it is signalled (a futex wake, then an idle core scheduling it).
 *
 * <ul>
 *   <li>With GPU pre-processing, the inference thread, finding no batch, polls instead of parking while the prepare
 *       thread uploads one: the batch it will run next is one GPU upload away (0.3 ms for one image, 9 ms for 64), a
 *       wait it would otherwise park for. Always on there; not with CPU pre-processing, whose decode needs the
 *       cores.</li>
 *   <li>The prepare thread polls for the next image for the idle spin after its last batch before it parks: a core
 *       per slot kept busy while images come at least that often. Off (zero) by default.</li>
 * </ul>
 * On an H200 with three slots on the batch-1 plan at 10% load (docs/benchmarks.md, session 15), p50 / p99: both
 * parking 1.24-1.26 / 1.96-2.05 ms; the inference thread polling 1.24 / 1.85-1.99 ms; both polling (idle spin
 * 100 ms) 1.14-1.20 / 1.75-1.81 ms. The streaming job at batch 64, one slot, ran at 0.852 of compute-only with the
 * inference thread polling and 0.863 without, within the runs' spread. One per micro-batcher; the prepare thread
 * writes {@link #uploading}, the inference thread reads it.
 */
final class HandOffSpins {
    /** Longest poll for one upload: beyond an upload of a full batch, so a stuck upload parks the thread again. */
    private static final long MAX_UPLOAD_SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final boolean spinForUpload;
    private final long idleSpinNanos;
    private volatile boolean uploading;
    /** Uploads begun so far (prepare thread); the inference thread spins at most once per upload. */
    private volatile long uploadsBegun;
    /** The upload the inference thread last spun for; only the inference thread reads or writes it. */
    private long spunFor = -1;
    /** When the prepare thread last handed a batch over (or started); only the prepare thread reads or writes it. */
    private long lastBatchNanos = System.nanoTime();

    HandOffSpins(boolean spinForUpload, long idleSpinNanos) {
        this.spinForUpload = spinForUpload;
        this.idleSpinNanos = idleSpinNanos;
    }

    /** The spins for a batcher with an idle spin of {@code idleSpin}; the upload poll with GPU pre-processing. */
    static HandOffSpins forBatcher(boolean gpuPreprocessing, Duration idleSpin) {
        return new HandOffSpins(gpuPreprocessing, idleSpin.toNanos());
    }

    /** Prepare thread: a batch's GPU upload starts ({@code true}), or it was handed over or dropped ({@code false}). */
    void uploading(boolean now) {
        if (now) {
            uploadsBegun++; // one writer
        }
        uploading = now;
        if (!now) {
            lastBatchNanos = System.nanoTime();
        }
    }

    /**
     * Prepare thread: the next image, polled until the idle spin has passed since the last batch; null when it has
     * (or there is none), and the caller parks in the queue.
     */
    <E> E pollForImage(BlockingQueue<E> queue, BooleanSupplier stop) {
        return idleSpinNanos == 0 ? null : pollUntil(queue, lastBatchNanos + idleSpinNanos, () -> true, stop);
    }

    /**
     * Inference thread: the next batch, polled while the prepare thread uploads one; null when none is uploading, or
     * when this upload was polled for once already (a stuck upload: the thread parks until it ends).
     */
    <E> E pollWhileUploading(BlockingQueue<E> ready, BooleanSupplier stop) {
        if (!spinForUpload) {
            return null;
        }
        long upload = uploadsBegun;
        if (upload == spunFor) {
            return ready.poll();
        }
        spunFor = upload;
        return pollUntil(ready, System.nanoTime() + MAX_UPLOAD_SPIN_NANOS, () -> uploading, stop);
    }

    /** Polls {@code queue} until it yields, {@code deadline} passes, {@code worthIt} turns false or {@code stop} true. */
    private static <E> E pollUntil(BlockingQueue<E> queue, long deadline, BooleanSupplier worthIt, BooleanSupplier stop) {
        E next = queue.poll();
        while (next == null && worthIt.getAsBoolean() && !stop.getAsBoolean() && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            next = queue.poll();
        }
        return next != null ? next : queue.poll(); // the flag may have dropped just after the hand-off
    }
}

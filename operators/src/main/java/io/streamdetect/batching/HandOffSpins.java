package io.streamdetect.batching;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Busy-polls a micro-batcher's hand-off queues where a parked thread's wake-up would add to a lone image's latency
 * (issue 18). A lone image passes two hand-offs before the engine: the submitting thread to the prepare thread, the
 * prepare thread to the inference thread. A thread parked in a queue wakes tens of microseconds after it is signalled
 * (a futex wake, then an idle core scheduling it); on the H200 about 0.2 ms of a lone image's 0.5 ms to its batch's
 * start is not its GPU upload (docs/benchmarks.md, session 14).
 *
 * <ul>
 *   <li>The inference thread, finding no batch, polls instead of parking while the prepare thread uploads one to
 *       the GPU: the batch it will run next is a GPU upload away (0.3 ms for one image, 9 ms for 64), and the
 *       inference thread would only park for that long. On with GPU pre-processing; {@value #UPLOAD_SPIN_PROPERTY}
 *       {@code =false} turns it off. With CPU pre-processing the prepare thread's decode needs the cores.</li>
 *   <li>The prepare thread polls for the next image for {@value #IDLE_SPIN_PROPERTY} microseconds after its last
 *       batch before it parks: a core per slot kept busy while images keep coming. Off (0) by default; an
 *       experiment.</li>
 * </ul>
 * One per micro-batcher; the prepare thread writes {@link #uploading}, the inference thread reads it.
 */
final class HandOffSpins {
    static final String UPLOAD_SPIN_PROPERTY = "streamdetect.batching.spin-for-upload";
    static final String IDLE_SPIN_PROPERTY = "streamdetect.batching.idle-spin-us";
    /** Longest poll for one upload: beyond an upload of a full batch, so a stuck upload parks the thread again. */
    private static final long MAX_UPLOAD_SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final boolean spinForUpload;
    private final long idleSpinNanos;
    private volatile boolean uploading;
    /** When the prepare thread last handed a batch over (or started); only the prepare thread reads or writes it. */
    private long lastBatchNanos = System.nanoTime();

    HandOffSpins(boolean spinForUpload, long idleSpinNanos) {
        this.spinForUpload = spinForUpload;
        this.idleSpinNanos = idleSpinNanos;
    }

    /** The spins for a batcher: from the system properties above, the upload spin only with GPU pre-processing. */
    static HandOffSpins forBatcher(boolean gpuPreprocessing) {
        boolean upload = gpuPreprocessing && !"false".equalsIgnoreCase(System.getProperty(UPLOAD_SPIN_PROPERTY));
        return new HandOffSpins(upload, TimeUnit.MICROSECONDS.toNanos(Long.getLong(IDLE_SPIN_PROPERTY, 0L)));
    }

    /** Prepare thread: a batch's GPU upload starts ({@code true}), or it was handed over or dropped ({@code false}). */
    void uploading(boolean now) {
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

    /** Inference thread: the next batch, polled while the prepare thread uploads one; null when none is uploading. */
    <E> E pollWhileUploading(BlockingQueue<E> ready, BooleanSupplier stop) {
        return spinForUpload ? pollUntil(ready, System.nanoTime() + MAX_UPLOAD_SPIN_NANOS, () -> uploading, stop) : null;
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

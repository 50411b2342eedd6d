package io.streamdetect.batching;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bookkeeping behind {@link BatchStageTimes}: one stopwatch per batcher thread that charges the time since its
 * last switch to the stage the thread was in, so each moment is charged once; and the batch and callback counters.
 * A switch is two {@code nanoTime} calls and an uncontended lock, a few per batch and image: no measurable cost and
 * no allocation. {@link #snapshot} holds both locks to read both threads at one instant, including the stage each is
 * in right now, so a window between two snapshots adds up exactly.
 */
final class StageClocks {
    final Clock prepare;
    final Clock inference;
    private final long startNanos;
    private final LongAdder listenerNanos = new LongAdder();
    /** The busy window's ends: when the first image came (submitting thread) and when the latest batch finished. */
    private final AtomicReference<BatchStageTimes> atFirstImage = new AtomicReference<>();
    private volatile BatchStageTimes atLatestBatch;
    // written by the inference thread only
    private volatile long batches;
    private volatile long images;

    StageClocks() {
        this.startNanos = System.nanoTime();
        this.prepare = new Clock(BatchStage.WAIT_FOR_IMAGE, startNanos);
        this.inference = new Clock(BatchStage.WAIT_FOR_BATCH, startNanos);
    }

    /** The inference thread ran a batch of {@code size} images. */
    void batchRan(int size) {
        batches++;
        images += size;
    }

    /** An image was submitted: the first one opens the busy window. */
    void imageSubmitted() {
        if (atFirstImage.get() == null) {
            atFirstImage.compareAndSet(null, snapshot());
        }
    }

    /**
     * A batch finished, its outcomes delivered: the busy window reaches to now. By the inference thread, holding no
     * clock lock; a snapshot (two small arrays, both locks a moment) per batch, every few ms at most.
     */
    void batchFinished() {
        atLatestBatch = snapshot();
    }

    /**
     * From the first image submitted to the end of the latest batch: what a slot did while it had work, without the
     * wait before its first image (the job starting, the engine opening) or after its last batch (the end of the
     * input, closing). Empty until a batch has finished. Its long-stretch counts ({@link BatchStageTimes#longSegments})
     * still include the wait before the first image, which ends inside the window: use them from whole snapshots.
     */
    Optional<BatchStageTimes> busyWindow() {
        BatchStageTimes first = atFirstImage.get();
        BatchStageTimes latest = atLatestBatch;
        return first == null || latest == null ? Optional.empty() : Optional.of(latest.minus(first));
    }

    void listenerCalled(long nanos) {
        listenerNanos.add(nanos);
    }

    BatchStageTimes snapshot() {
        long[] nanos = new long[BatchStage.values().length];
        long[] longSegments = new long[BatchStageTimes.longSegmentCounters()];
        // always prepare, then inference, and never from inside a clock's own lock: no deadlock, whichever thread
        // (the inference thread takes both once per batch, for the busy window)
        synchronized (prepare) {
            synchronized (inference) {
                long now = System.nanoTime();
                prepare.addTo(nanos, longSegments, now);
                inference.addTo(nanos, longSegments, now);
                return new BatchStageTimes(now - startNanos, batches, images, listenerNanos.sum(), nanos, longSegments);
            }
        }
    }

    /** One thread's stopwatch. */
    static final class Clock {
        private static final long SHORTEST_LONG_NANOS = BatchStageTimes.LONG_SEGMENT_MILLIS[0] * 1_000_000L;
        private final long[] nanos = new long[BatchStage.values().length];
        /** Per stage, the segments that lasted at least each of {@link BatchStageTimes#LONG_SEGMENT_MILLIS}. */
        private final long[] longSegments = new long[BatchStageTimes.longSegmentCounters()];
        private BatchStage current;
        private long since;
        private boolean stopped;

        private Clock(BatchStage first, long startNanos) {
            this.current = first;
            this.since = startNanos;
        }

        /** The thread enters {@code stage}: the time since the last switch goes to the stage it leaves. */
        synchronized void enter(BatchStage stage) {
            long now = System.nanoTime();
            long segment = now - since;
            nanos[current.ordinal()] += segment;
            if (segment >= SHORTEST_LONG_NANOS) { // rare for the stages that do work: the tail's suspects
                countLong(current, segment);
            }
            current = stage;
            since = now;
        }

        private void countLong(BatchStage stage, long segment) {
            long[] thresholds = BatchStageTimes.LONG_SEGMENT_MILLIS;
            for (int k = 0; k < thresholds.length && segment >= thresholds[k] * 1_000_000L; k++) {
                longSegments[stage.ordinal() * thresholds.length + k]++;
            }
        }

        /** The thread ends: its last stage stops counting. */
        synchronized void stop() {
            if (!stopped) {
                enter(current);
                stopped = true;
            }
        }

        private void addTo(long[] into, long[] longInto, long now) {
            for (int i = 0; i < nanos.length; i++) {
                into[i] += nanos[i];
            }
            for (int i = 0; i < longSegments.length; i++) {
                longInto[i] += longSegments[i];
            }
            if (!stopped) {
                into[current.ordinal()] += now - since;
            }
        }
    }
}

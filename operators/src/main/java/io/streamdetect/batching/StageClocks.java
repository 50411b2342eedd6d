package io.streamdetect.batching;

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

    void listenerCalled(long nanos) {
        listenerNanos.add(nanos);
    }

    BatchStageTimes snapshot() {
        long[] nanos = new long[BatchStage.values().length];
        synchronized (prepare) { // always prepare, then inference: the batcher threads only ever hold their own
            synchronized (inference) {
                long now = System.nanoTime();
                prepare.addTo(nanos, now);
                inference.addTo(nanos, now);
                return new BatchStageTimes(now - startNanos, batches, images, listenerNanos.sum(), nanos);
            }
        }
    }

    /** One thread's stopwatch. */
    static final class Clock {
        private final long[] nanos = new long[BatchStage.values().length];
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
            nanos[current.ordinal()] += now - since;
            current = stage;
            since = now;
        }

        /** The thread ends: its last stage stops counting. */
        synchronized void stop() {
            if (!stopped) {
                enter(current);
                stopped = true;
            }
        }

        private void addTo(long[] into, long now) {
            for (int i = 0; i < nanos.length; i++) {
                into[i] += nanos[i];
            }
            if (!stopped) {
                into[current.ordinal()] += now - since;
            }
        }
    }
}

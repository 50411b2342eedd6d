package io.streamdetect.batching;

import java.util.Objects;

/**
 * What a caller's timeout finds when it asks {@link MicroBatcher#lateness} about an image: one of four verdicts, so
 * that no caller can take an image that is already done for one that is slow (both were once "nothing to blame",
 * and a caller that forgot to look at the progress first made a TIMEOUT dead letter of a detected image).
 */
public final class Lateness {
    /** The verdicts. */
    public enum Verdict {
        /** Processed: the batcher's thread is reporting its outcome. Leave it be. */
        DONE,
        /**
         * Its own pre-processing is what runs late, for half the timeout or more (a slow or huge image): time it out,
         * a TIMEOUT dead letter. An image whose decode has only just begun when its timer fires waited behind others:
         * {@link #BEHIND} (one CI run made a TIMEOUT dead letter of a good image that way).
         */
        SLOW_IMAGE,
        /**
         * It waits its turn behind other images while the engine keeps running batches: the slot holds more images
         * than it works through in a timeout (capacity or batch size too large for it). Look again a timeout later.
         * Failing the job instead (as before) replayed the same backlog after the restart, and the job failed over
         * again and again without committing anything.
         */
        BEHIND,
        /** The batcher failed or is stuck: fail the image, and so the job, which replays it. */
        BATCHER_AT_FAULT
    }

    static final Lateness DONE = new Lateness(Verdict.DONE, null);
    static final Lateness SLOW_IMAGE = new Lateness(Verdict.SLOW_IMAGE, null);
    static final Lateness BEHIND = new Lateness(Verdict.BEHIND, null);

    private final Verdict verdict;
    private final BatcherFailedException batcherFailure;

    private Lateness(Verdict verdict, BatcherFailedException batcherFailure) {
        this.verdict = verdict;
        this.batcherFailure = batcherFailure;
    }

    static Lateness batcherAtFault(BatcherFailedException why) {
        return new Lateness(Verdict.BATCHER_AT_FAULT, Objects.requireNonNull(why));
    }

    public Verdict verdict() {
        return verdict;
    }

    /** Why the batcher is at fault, to fail the image with; only for {@link Verdict#BATCHER_AT_FAULT}. */
    public BatcherFailedException batcherFailure() {
        if (batcherFailure == null) {
            throw new IllegalStateException("not the batcher's fault: " + verdict);
        }
        return batcherFailure;
    }

    @Override
    public String toString() {
        return batcherFailure == null ? verdict.toString() : verdict + ": " + batcherFailure.getMessage();
    }
}

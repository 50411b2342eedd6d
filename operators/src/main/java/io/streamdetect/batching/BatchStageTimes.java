package io.streamdetect.batching;

import java.util.Arrays;
import java.util.Locale;

/**
 * A snapshot of where a {@link MicroBatcher}'s threads spent their time ({@link BatchStage}), with the batches and
 * images it ran, from the batcher's start (or, as a {@link #minus difference}, over a window). Per thread, the
 * stages add up to at most the wall time: each moment of a running thread is in exactly one stage, a stopped thread
 * adds nothing. For benchmarks and metrics: mean milliseconds per batch and share of the wall time per stage, and
 * how many of a stage's stretches (one per batch for most stages; per image for decode) took long, which a mean
 * hides: what a p99 is made of.
 */
public final class BatchStageTimes {
    /** The lengths, in ms, that {@link #longSegments} counts stretches of at least. */
    static final long[] LONG_SEGMENT_MILLIS = {1, 2, 4, 8, 16};
    /** Nothing measured: the start of a sum. */
    public static final BatchStageTimes ZERO = new BatchStageTimes(0, 0, 0, 0, new long[BatchStage.values().length],
            new long[longSegmentCounters()]);

    private final long wallNanos;
    private final long batches;
    private final long images;
    private final long listenerNanos;
    private final long[] stageNanos;
    /** Per stage, then per {@link #LONG_SEGMENT_MILLIS}: stretches at least that long. */
    private final long[] longSegments;

    BatchStageTimes(long wallNanos, long batches, long images, long listenerNanos, long[] stageNanos,
                    long[] longSegments) {
        this.wallNanos = wallNanos;
        this.batches = batches;
        this.images = images;
        this.listenerNanos = listenerNanos;
        this.stageNanos = stageNanos;
        this.longSegments = longSegments;
    }

    static int longSegmentCounters() {
        return BatchStage.values().length * LONG_SEGMENT_MILLIS.length;
    }

    /** The lengths {@link #longSegments} counts stretches of at least, in ms: 1, 2, 4, 8, 16. */
    public static long[] longSegmentMillis() {
        return LONG_SEGMENT_MILLIS.clone();
    }

    /**
     * How many uninterrupted stretches of {@code stage} lasted at least each of {@link #longSegmentMillis()}, in that
     * order (counts of finished stretches; the one in progress at the snapshot is not counted yet).
     */
    public long[] longSegments(BatchStage stage) {
        int from = stage.ordinal() * LONG_SEGMENT_MILLIS.length;
        return Arrays.copyOfRange(longSegments, from, from + LONG_SEGMENT_MILLIS.length);
    }

    /** Wall time the snapshot covers: since the batcher started, or the window of a difference. */
    public long wallNanos() {
        return wallNanos;
    }

    /** Batches the engine ran. */
    public long batches() {
        return batches;
    }

    /** Images in those batches. */
    public long images() {
        return images;
    }

    /**
     * Time in the listener's {@code completed} callbacks, summed over the threads that made them (the inference
     * thread and, with a decode pool, its helpers): part of {@link BatchStage#POSTPROCESS} where the inference thread
     * made them.
     */
    public long listenerNanos() {
        return listenerNanos;
    }

    public long nanos(BatchStage stage) {
        return stageNanos[stage.ordinal()];
    }

    /** The stages of {@code thread} together. */
    public long nanos(BatchStage.Thread thread) {
        long sum = 0;
        for (BatchStage stage : BatchStage.values()) {
            sum += stage.thread() == thread ? nanos(stage) : 0;
        }
        return sum;
    }

    /** Mean milliseconds per batch run in {@code stage}; 0 without batches. */
    public double millisPerBatch(BatchStage stage) {
        return batches == 0 ? 0 : nanos(stage) / 1e6 / batches;
    }

    /** Share of the wall time its thread spent in {@code stage}, 0..1. */
    public double share(BatchStage stage) {
        return wallNanos == 0 ? 0 : (double) nanos(stage) / wallNanos;
    }

    public double meanBatch() {
        return batches == 0 ? 0 : (double) images / batches;
    }

    /**
     * One line for a log: batches, mean batch, wall time, then per thread each stage's mean ms per batch and share of
     * the wall time, e.g. "prepare: decode 1.20 ms (14%), ...". Where a slot's time went, for users without a
     * benchmark (the operator logs it when a slot closes).
     */
    public String summary() {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%d batches of %.1f images on average in %.1f s",
                batches, meanBatch(), wallNanos / 1e9));
        for (BatchStage.Thread thread : BatchStage.Thread.values()) {
            line.append("; ").append(thread.name().toLowerCase(Locale.ROOT)).append(':');
            String separator = " ";
            for (BatchStage stage : BatchStage.values()) {
                if (stage.thread() == thread) {
                    line.append(separator).append(String.format(Locale.ROOT, "%s %.2f ms (%.0f%%)", stage.label(),
                            millisPerBatch(stage), 100 * share(stage)));
                    separator = ", ";
                }
            }
        }
        return line.toString();
    }

    /** This snapshot minus an earlier one of the same batcher: the window between them. */
    public BatchStageTimes minus(BatchStageTimes earlier) {
        return combine(earlier, -1);
    }

    /** Two windows together (e.g. rounds of a benchmark, each on its own batcher). */
    public BatchStageTimes plus(BatchStageTimes other) {
        return combine(other, 1);
    }

    private BatchStageTimes combine(BatchStageTimes other, int sign) {
        return new BatchStageTimes(wallNanos + sign * other.wallNanos, batches + sign * other.batches,
                images + sign * other.images, listenerNanos + sign * other.listenerNanos,
                combine(stageNanos, other.stageNanos, sign), combine(longSegments, other.longSegments, sign));
    }

    private static long[] combine(long[] a, long[] b, int sign) {
        long[] sum = new long[a.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = a[i] + sign * b[i];
        }
        return sum;
    }

    @Override
    public String toString() {
        return "BatchStageTimes[wall=" + wallNanos + " ns, batches=" + batches + ", images=" + images + ", listener="
                + listenerNanos + " ns, stages=" + Arrays.toString(stageNanos) + ", long stretches="
                + Arrays.toString(longSegments) + "]";
    }
}

package io.streamdetect;

/**
 * How often something costly happened and the time it took, for benchmarks and metrics: e.g. an engine session's
 * CUDA graph captures (first-use costs, see {@code EngineSession#graphCaptures}) or nvJPEG's re-initialisations
 * for a new batch size. Snapshots of a running counter; {@link #minus} gives a window.
 *
 * @param count how many times
 * @param nanos their total time
 */
public record TimedCount(long count, long nanos) {
    public static final TimedCount NONE = new TimedCount(0, 0);

    /** What happened since {@code earlier}, a snapshot of the same counter. */
    public TimedCount minus(TimedCount earlier) {
        return new TimedCount(count - earlier.count, nanos - earlier.nanos);
    }

    public TimedCount plus(TimedCount other) {
        return new TimedCount(count + other.count, nanos + other.nanos);
    }

    public double millis() {
        return nanos / 1e6;
    }
}

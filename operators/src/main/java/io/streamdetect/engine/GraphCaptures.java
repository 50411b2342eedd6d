package io.streamdetect.engine;

/**
 * CUDA graph captures an engine session made so far and the host time they took: a session captures a graph on the
 * first run of each (profile, batch size, input buffer), so these are first-use costs that benchmarks keep out of
 * steady-state figures (and report beside them). {@link #NONE} for backends without graphs.
 *
 * @param count captures attempted (successful or not)
 * @param nanos time spent capturing and instantiating them, not counting the direct run before each
 */
public record GraphCaptures(long count, long nanos) {
    public static final GraphCaptures NONE = new GraphCaptures(0, 0);

    /** What was captured since {@code earlier}, a snapshot of the same session. */
    public GraphCaptures minus(GraphCaptures earlier) {
        return new GraphCaptures(count - earlier.count, nanos - earlier.nanos);
    }

    public GraphCaptures plus(GraphCaptures other) {
        return new GraphCaptures(count + other.count, nanos + other.nanos);
    }

    public double millis() {
        return nanos / 1e6;
    }
}

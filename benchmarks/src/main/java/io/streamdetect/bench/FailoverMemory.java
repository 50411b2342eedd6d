package io.streamdetect.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * GPU memory in use across the attempts of a job that fails over: readings taken every 200 ms, each filed under the
 * attempt running when it was taken (attempt 1 until the first failover is thrown, attempt k + 1 from the k-th).
 *
 * <p>Why not one reading per attempt: a single reading, wherever it is taken, lands at a different point of each
 * attempt's work (restored in-flight images already in the engine, or not yet), and differs by the engine's
 * working memory alone; what is stable is each attempt's <em>peak</em> (all its buffers in use) and the
 * <em>trough</em> between attempts (the failed attempt's memory released, the next one's not yet taken: the lowest
 * reading of an attempt's window, which starts when the previous one fails). A leak raises both from one attempt to
 * the next.
 */
final class FailoverMemory {
    private final Map<Integer, long[]> byAttempt = new TreeMap<>(); // attempt -> {peak, trough}

    /** One reading of memory in use, in bytes, taken while {@code attempt} ran (from its predecessor's failure on). */
    synchronized void record(int attempt, long bytes) {
        if (bytes < 0) {
            return; // no reading (no CUDA)
        }
        long[] pt = byAttempt.computeIfAbsent(attempt, a -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE});
        pt[0] = Math.max(pt[0], bytes);
        pt[1] = Math.min(pt[1], bytes);
    }

    /** The highest reading while {@code attempt} ran; -1 without one. */
    synchronized long peak(int attempt) {
        long[] pt = byAttempt.get(attempt);
        return pt == null ? -1 : pt[0];
    }

    /**
     * The lowest reading between the previous attempt's failure and the end of {@code attempt} (attempt ≥ 2): the
     * trough of the restart before it; -1 without one.
     */
    synchronized long troughBefore(int attempt) {
        long[] pt = attempt < 2 ? null : byAttempt.get(attempt);
        return pt == null ? -1 : pt[1];
    }

    /**
     * The table's memory cells for a run of {@code restarts} failovers: peak of attempt 1, of attempt restarts + 1,
     * growth; trough after restart 1, after restart {@code restarts}, growth. "n/a (no CUDA)" without CUDA.
     */
    String cells(boolean cuda, int restarts) {
        int last = restarts + 1;
        return String.join(" | ", gigabytes(cuda, peak(1)), gigabytes(cuda, peak(last)), growth(cuda, peak(1), peak(last)),
                gigabytes(cuda, troughBefore(2)), gigabytes(cuda, troughBefore(last)),
                growth(cuda, troughBefore(2), troughBefore(last)));
    }

    private static String gigabytes(boolean cuda, long bytes) {
        return !cuda ? "n/a (no CUDA)" : bytes < 0 ? "not reached" : String.format(Locale.ROOT, "%.3f GB", bytes / 1e9);
    }

    private static String growth(boolean cuda, long first, long last) {
        return cuda && first >= 0 && last >= 0 ? String.format(Locale.ROOT, "%+.3f GB", (last - first) / 1e9) : "n/a";
    }
}

package io.streamdetect.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * When a run's results came out: their processing times (epoch ms, several results may share one: the images of a
 * batch do) and the checkpoints taken meanwhile. A run's steady rate over first to last result can hide a slow start
 * or a pause; a short run (20,000 images at 7,000 img/s is under 3 s, less than one checkpoint interval) weighs
 * either by several percent. The rate over the middle of the results and the rate per interval tell a slow
 * plateau from dips.
 */
final class RunTimeline {

    /**
     * A completed checkpoint as the run saw it: triggered at {@code triggerMillis} (epoch ms), its end-to-end time, the
     * longest synchronous part of any task (during which that task's thread processes nothing) and its state size.
     */
    record Checkpoint(long id, long triggerMillis, long endToEndMillis, long longestSyncMillis, long stateBytes) {}

    private final long[] millis;
    private final List<Checkpoint> checkpoints;

    RunTimeline(Collection<Long> processingMillis, List<Checkpoint> checkpoints) {
        this.millis = processingMillis.stream().mapToLong(Long::longValue).sorted().toArray();
        this.checkpoints = List.copyOf(checkpoints);
    }

    int results() {
        return millis.length;
    }

    /**
     * Results per second between the result at quantile {@code from} and the one at {@code to} (0..1), e.g. 0.1 and
     * 0.9 for the middle 80%; 0 where that span has no length (too few results or one batch).
     */
    double rate(double from, double to) {
        if (millis.length < 2) {
            return 0;
        }
        int first = index(from);
        int last = index(to);
        long span = millis[last] - millis[first];
        return span <= 0 ? 0 : (last - first) / (span / 1000.0);
    }

    private int index(double quantile) {
        return (int) Math.round(Math.max(0, Math.min(1, quantile)) * (millis.length - 1));
    }

    /**
     * Results per second in each interval of {@code binMillis} from the first result on. The last interval ends at
     * the last result, so its rate is over its own length, not a whole interval: a run does not seem to slow down
     * at its end only because it ended mid-interval.
     */
    double[] ratePerInterval(long binMillis) {
        if (binMillis <= 0) {
            throw new IllegalArgumentException("an interval must be at least 1 ms, not " + binMillis);
        }
        if (millis.length == 0) {
            return new double[0];
        }
        long start = millis[0];
        long span = millis[millis.length - 1] - start;
        int[] counts = new int[(int) (span / binMillis) + 1];
        for (long m : millis) {
            counts[(int) ((m - start) / binMillis)]++;
        }
        double[] rates = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            long length = i < counts.length - 1 ? binMillis : span - i * binMillis + 1;
            rates[i] = counts[i] * 1000.0 / length;
        }
        return rates;
    }

    /** {@link #ratePerInterval} as whole numbers separated by spaces, for a table cell. */
    String ratesCell(long binMillis) {
        StringJoiner cell = new StringJoiner(" ");
        for (double rate : ratePerInterval(binMillis)) {
            cell.add(String.format(Locale.ROOT, "%.0f", rate));
        }
        return cell.toString();
    }

    /**
     * The checkpoints, each with its trigger time in seconds since the first result (negative: before it), its
     * end-to-end time, longest synchronous part and state size, e.g. "1 at +1.25 s: 340 ms, sync 12 ms, 25.8 MB";
     * "none" without any; without results the trigger time is "n/a".
     */
    String checkpointsCell() {
        if (checkpoints.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (Checkpoint c : checkpoints) {
            String at = millis.length == 0 ? "n/a"
                    : String.format(Locale.ROOT, "%+.2f s", (c.triggerMillis() - millis[0]) / 1000.0);
            parts.add(String.format(Locale.ROOT, "%d at %s: %d ms, sync %d ms, %.1f MB", c.id(), at, c.endToEndMillis(),
                    c.longestSyncMillis(), c.stateBytes() / 1e6));
        }
        return String.join("; ", parts);
    }
}

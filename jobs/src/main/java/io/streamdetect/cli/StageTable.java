package io.streamdetect.cli;

import io.streamdetect.TimedCount;
import io.streamdetect.batching.BatchStage;
import io.streamdetect.batching.BatchStageTimes;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The "where the time goes" tables of {@code bench --latency}. The first: per row, the micro-batcher's batches and,
 * per {@link BatchStage}, mean milliseconds per batch and the share of its thread's wall time, with the CUDA graph
 * captures (first-use costs) of the warm-up and of the measured window and nvJPEG's re-initialisations beside them.
 * The second: per stage, how many of its stretches took at least 1, 2, 4, 8 and 16 ms, which is what a p99 is made
 * of and a mean hides.
 */
final class StageTable {
    private StageTable() {}

    /** The header, after {@code leading} (the columns that name the row, e.g. "| backend | precision |"). */
    static String header(String leading) {
        return header(leading, "batches", "mean batch", "warm-up: s per run, graph captures (ms)", "graph captures measured (ms)",
                "nvJPEG re-inits measured (ms)") + " callbacks |\n" + rule(leading, 5 + BatchStage.values().length + 1);
    }

    /**
     * A row's cells after its leading ones: counts as "count (total ms)"; each stage as "mean ms per batch (share of
     * wall %)"; callbacks as mean ms per batch, summed over the threads that made them. {@code warmUpCaptures} is null
     * where there was no separate warm-up.
     */
    static String cells(SlotCosts measured, double warmUpSecondsPerRun, TimedCount warmUpCaptures) {
        BatchStageTimes t = measured.stages();
        String warmUp = warmUpCaptures == null ? ""
                : String.format(Locale.ROOT, "%.2f s, %s", warmUpSecondsPerRun, counted(warmUpCaptures));
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, " %d | %.2f | %s | %s | %s |", t.batches(),
                t.meanBatch(), warmUp, counted(measured.graphCaptures()), counted(measured.nvJpegInits())));
        for (BatchStage stage : BatchStage.values()) {
            row.append(String.format(Locale.ROOT, " %.3f (%.0f%%) |", t.millisPerBatch(stage), 100 * t.share(stage)));
        }
        row.append(String.format(Locale.ROOT, " %.3f |", t.batches() == 0 ? 0 : t.listenerNanos() / 1e6 / t.batches()));
        return row.toString();
    }

    /** The long-stretches table's header, after {@code leading}. */
    static String longStretchesHeader(String leading) {
        return header(leading, "batches") + "\n" + rule(leading, 1 + BatchStage.values().length);
    }

    /** Per stage, its stretches of at least 1/2/4/8/16 ms, as "a/b/c/d/e". */
    static String longStretchCells(SlotCosts measured) {
        BatchStageTimes t = measured.stages();
        StringBuilder row = new StringBuilder(" ").append(t.batches()).append(" |");
        for (BatchStage stage : BatchStage.values()) {
            row.append(' ').append(Arrays.stream(t.longSegments(stage)).mapToObj(Long::toString)
                    .collect(Collectors.joining("/"))).append(" |");
        }
        return row.toString();
    }

    /** {@code leading}, then {@code first} columns, then one per stage, named by its thread. */
    private static String header(String leading, String... first) {
        StringBuilder head = new StringBuilder(leading);
        for (String column : first) {
            head.append(' ').append(column).append(" |");
        }
        for (BatchStage stage : BatchStage.values()) {
            head.append(' ').append(stage.thread() == BatchStage.Thread.PREPARE ? "prepare: " : "inference: ")
                    .append(stage.label()).append(" |");
        }
        return head.toString();
    }

    /** The markdown rule under a header of {@code leading} and {@code more} columns. */
    private static String rule(String leading, int more) {
        return "|---".repeat(leading.split("\\|", -1).length - 2 + more) + "|";
    }

    private static String counted(TimedCount c) {
        return String.format(Locale.ROOT, "%d (%.1f)", c.count(), c.millis());
    }
}

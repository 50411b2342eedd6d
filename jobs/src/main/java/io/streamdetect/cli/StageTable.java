package io.streamdetect.cli;

import io.streamdetect.TimedCount;
import io.streamdetect.batching.BatchStage;
import io.streamdetect.batching.BatchStageTimes;
import java.util.Locale;

/**
 * The "where the time goes" table of {@code bench --latency}: per row, the micro-batcher's batches and, per {@link
 * BatchStage}, mean milliseconds per batch and the share of its thread's wall time, with the CUDA graph captures
 * (first-use costs) of the warm-up and of the measured window and nvJPEG's re-initialisations beside them.
 */
final class StageTable {
    private StageTable() {}

    /** The header, after {@code leading} (the columns that name the row, e.g. "| backend | precision |"). */
    static String header(String leading) {
        StringBuilder head = new StringBuilder(leading).append(" batches | mean batch | graph captures warm-up (ms) "
                + "| graph captures measured (ms) | nvJPEG re-inits measured (ms) |");
        StringBuilder rule = new StringBuilder("|---".repeat(leading.split("\\|", -1).length - 2))
                .append("|---|---|---|---|---|");
        for (BatchStage stage : BatchStage.values()) {
            head.append(' ').append(stage.thread() == BatchStage.Thread.PREPARE ? "prepare: " : "inference: ")
                    .append(stage.label()).append(" |");
            rule.append("---|");
        }
        head.append(" callbacks |");
        rule.append("---|");
        return head + "\n" + rule;
    }

    /**
     * A row's cells after its leading ones: counts as "count (total ms)"; each stage as "mean ms per batch (share of
     * wall %)"; callbacks as mean ms per batch, summed over the threads that made them. {@code warmUpCaptures} is null
     * where there was no separate warm-up.
     */
    static String cells(SlotCosts measured, TimedCount warmUpCaptures) {
        BatchStageTimes t = measured.stages();
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, " %d | %.2f | %s | %s | %s |", t.batches(),
                t.meanBatch(), warmUpCaptures == null ? "" : counted(warmUpCaptures), counted(measured.graphCaptures()),
                counted(measured.nvJpegInits())));
        for (BatchStage stage : BatchStage.values()) {
            row.append(String.format(Locale.ROOT, " %.3f (%.0f%%) |", t.millisPerBatch(stage), 100 * t.share(stage)));
        }
        row.append(String.format(Locale.ROOT, " %.3f |", t.batches() == 0 ? 0 : t.listenerNanos() / 1e6 / t.batches()));
        return row.toString();
    }

    private static String counted(TimedCount c) {
        return String.format(Locale.ROOT, "%d (%.1f)", c.count(), c.millis());
    }
}

package io.streamdetect.sql;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import io.streamdetect.batching.Lateness;
import io.streamdetect.batching.MicroBatcher;
import io.streamdetect.flink.DetectionSettings;
import io.streamdetect.flink.DetectionSlot;
import io.streamdetect.predict.Prediction;
import io.streamdetect.records.ErrorKind;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * {@code ML_PREDICT} with a {@code streamdetect} model: each input row's image (the one column named in {@code
 * DESCRIPTOR(...)}) goes into this subtask's {@link DetectionSlot}, the same micro-batcher, predictor and shared
 * engine as the DataStream operator's, and the future completes with one row of the model's output columns. A bad
 * image, or one whose own decode is not done within the {@code timeout} option, completes with an error row; an
 * engine failure or a stuck engine completes exceptionally, so the job fails and restarts from its last checkpoint;
 * an image waiting its turn behind others while batches keep running waits on. Public: the planner's generated
 * code calls it.
 */
public final class DetectionPredictFunction extends AsyncPredictFunction {
    private static final long serialVersionUID = 1L;

    private final DetectionSettings settings;
    private final List<ModelOutputColumn> columns;
    private transient DetectionSlot<Pending> slot;

    DetectionPredictFunction(DetectionSettings settings, List<ModelOutputColumn> columns) {
        this.settings = settings;
        this.columns = List.copyOf(columns);
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        super.open(context);
        slot = DetectionSlot.open(settings, context.getExternalResourceInfos(settings.gpuResource()),
                context.getTaskInfo().getIndexOfThisSubtask(), context.getMetricGroup(), new Outcomes(),
                this::expire);
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData input) {
        Pending pending = new Pending();
        byte[] image = input.isNullAt(0) ? new byte[0] : input.getBinary(0);
        pending.placed = slot.submit(image, pending);
        // a result that arrives later is dropped: complete() on a completed future does nothing
        CompletableFuture.delayedExecutor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> timeout(pending));
        return pending.future;
    }

    /** One image's future and where the slot holds it. */
    private static final class Pending {
        final CompletableFuture<Collection<RowData>> future = new CompletableFuture<>();
        volatile MicroBatcher.Ticket placed;
    }

    /**
     * As the DataStream operator: an error row only when the image's own decode is what is slow; when the engine is
     * stuck or failed, the image fails and so the job, which restarts and detects it again; an image behind others
     * while batches keep running is looked at again a timeout later. An image waiting for the engine to open waits
     * on: its timeout counts from the moment the engine is open.
     */
    private void timeout(Pending pending) {
        if (!pending.future.isDone() && !slot.deferTimeout(pending.placed)) {
            expire(pending);
        }
    }

    private void expire(Pending pending) {
        if (pending.future.isDone()) {
            return;
        }
        Lateness late = slot.lateness(pending.placed, settings.timeout());
        switch (late.verdict()) {
            case DONE -> { } // the batcher's thread is completing the future
            case SLOW_IMAGE -> pending.future.complete(List.of(row(Prediction.failed(timedOut()))));
            case BEHIND -> slot.lookAgainLater(() -> expire(pending));
            case BATCHER_AT_FAULT -> pending.future.completeExceptionally(late.batcherFailure());
        }
    }

    private PipelineException timedOut() {
        return new PipelineException(ErrorKind.TIMEOUT, Stage.ENGINE,
                "not processed within " + settings.timeout().toMillis() + " ms (the model's 'timeout' option)");
    }

    private RowData row(Prediction p) {
        GenericRowData row = new GenericRowData(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            row.setField(i, columns.get(i).value(p));
        }
        return row;
    }

    @Override
    public void close() throws Exception {
        if (slot != null) {
            slot.close();
        }
        super.close();
    }

    private final class Outcomes implements DetectionSlot.Outcomes<Pending> {
        @Override
        public void completed(Pending pending, Prediction p, long queueWaitNanos) {
            pending.future.complete(List.of(row(p)));
        }

        @Override
        public void failed(Pending pending, Throwable error) {
            pending.future.completeExceptionally(error);
        }
    }
}

package io.streamdetect.flink;

import io.streamdetect.batching.Backlog;
import io.streamdetect.batching.Lateness;
import io.streamdetect.batching.MicroBatcher;
import io.streamdetect.predict.Prediction;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.records.RecordFactory;
import io.streamdetect.swap.AcceptedModel;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.types.Either;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detection operator: each task slot holds its own engine session (for TensorRT, its own execution
 * context) on an engine shared by the slots of the TaskManager, and a {@link MicroBatcher} with one inference
 * thread. Each image's {@link ResultFuture} completes with its detection record, or with a dead letter
 * (Left) when the image is bad or times out. Engine failures fail the future, so Flink restarts from the last
 * checkpoint and the images are processed again rather than lost.
 *
 * <p>With {@code model.watch}, the slot's {@link ModelSwitcher} replaces the model while the job runs; the model
 * it switched to is kept in this function's (union list) operator state, so that a restart comes back on it.
 *
 * <p>The engine opens in the background ({@link ModelSwitcher}): {@code open} returns at once, so the task is
 * RUNNING and its checkpoints complete while a model loads or a TensorRT plan builds (minutes). Images taken
 * meanwhile wait in the slot; they are in-flight elements of Flink's async operator, so every checkpoint holds them,
 * and the operator's capacity stops the input once it is full. Their {@code timeout} counts from the moment the
 * engine is open, not from their arrival: waiting for a load is neither their fault (a TIMEOUT dead letter) nor the
 * batcher's (a job failure). An engine that cannot be opened fails the images waiting for it, the next image, or
 * the next checkpoint, whichever comes first, so the job fails and restarts as before.
 */
public class DetectionFunction extends RichAsyncFunction<ImageRecord, Either<DeadLetter, DetectionRecord>>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DetectionFunction.class);
    private static final String ACCEPTED_MODEL_STATE = "streamdetect-accepted-model";

    private final DetectionSettings settings;
    private transient ModelSwitcher<InFlight> models;
    /** Images whose timeout found them waiting behind others while batches keep running: looked at again later. */
    private transient Backlog backlog;
    private transient DetectionMetrics metrics;
    /** Images between asyncInvoke and completion, so a timeout completes the same InFlight the batcher holds. */
    private transient java.util.Map<ResultFuture<?>, InFlight> pending;
    /**
     * The model accepted through model.watch, one entry per slot; every slot gets all of them on restore. Null without
     * model.watch: nothing is ever accepted then, and Flink declines every checkpoint of a bounded job whose slots
     * have partly finished while an operator holds union list state, even an empty one ("has used UnionListState,
     * but part of its tasks has called operators' finish method"; seen with two slots, docs/benchmarks.md session 15).
     */
    private transient ListState<String> acceptedModelState;
    private transient AcceptedModel restoredModel;

    public DetectionFunction(DetectionSettings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        ListStateDescriptor<String> accepted = new ListStateDescriptor<>(ACCEPTED_MODEL_STATE, String.class);
        if (settings.modelWatch() == null) {
            if (context.isRestored()
                    && context.getOperatorStateStore().getRegisteredStateNames().contains(ACCEPTED_MODEL_STATE)) {
                // Flink carries restored operator state into every later checkpoint, read or not: emptied, a later
                // run that watches again does not go back to a model accepted runs ago. It stays union state, so a
                // bounded multi-slot run resumed from such a checkpoint may still see declines as its slots finish.
                context.getOperatorStateStore().getUnionListState(accepted).clear();
            }
            return; // this run keeps its own model
        }
        acceptedModelState = context.getOperatorStateStore().getUnionListState(accepted);
        if (context.isRestored()) {
            List<String> entries = new java.util.ArrayList<>();
            acceptedModelState.get().forEach(entries::add);
            restoredModel = AcceptedModel.latest(entries).orElse(null);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        if (models != null) {
            models.throwIfFailedToOpen(); // an idle slot whose model cannot be opened fails here at the latest
        }
        if (acceptedModelState == null) {
            return;
        }
        acceptedModelState.clear();
        if (models != null && models.accepted().isPresent()) {
            acceptedModelState.add(models.accepted().get().encode());
        }
    }

    @Override
    public void open(OpenContext openContext) {
        var spec = DetectionSlot.engineFor(settings, getRuntimeContext().getExternalResourceInfos(settings.gpuResource()),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        metrics = new DetectionMetrics(getRuntimeContext().getMetricGroup());
        pending = new java.util.concurrent.ConcurrentHashMap<>();
        String name = "streamdetect-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        backlog = new Backlog(name, settings.timeout());
        metrics.timeoutsWhileBehind(backlog::timeoutsWhileBehind);
        models = new ModelSwitcher<>(settings, spec, restoredModel, new Listener(), name,
                new ModelSwapMetrics(getRuntimeContext().getMetricGroup()), this::expire);
        metrics.gpuMemoryBytes(models::deviceMemoryBytes);
    }

    @Override
    public void asyncInvoke(ImageRecord image, ResultFuture<Either<DeadLetter, DetectionRecord>> future) {
        metrics.inFlight.incrementAndGet();
        InFlight item = new InFlight(image, RecordFactory.imageBytes(image), future);
        pending.put(future, item);
        try {
            item.placed = models.submit(item.bytes, item);
        } catch (RuntimeException e) { // a failed batcher: the task fails, and this image is not in flight
            item.finish();
            throw e;
        }
    }

    /**
     * A dead letter only when this image's own pre-processing is what is slow; when the batcher failed or its engine
     * is stuck, the image fails instead, and so the job, which replays it after a restart. An image waiting its turn
     * behind others while batches keep running is looked at again a timeout later ({@link Backlog}). An image still
     * waiting for the slot's model to open is left waiting: its timeout counts again from the moment the model is
     * open (see {@link ModelSwitcher.Placed#deferTimeout}).
     */
    @Override
    public void timeout(ImageRecord image, ResultFuture<Either<DeadLetter, DetectionRecord>> future) {
        // the batcher may still finish this image later: completing its own InFlight here makes that a no-op
        InFlight item = pending.get(future);
        if (item == null) {
            return;
        }
        // placed is set: asyncInvoke and timeout both run on the task thread
        if (!item.placed.deferTimeout()) {
            expire(item);
        }
    }

    /** An image whose timeout expired, in a batcher: a dead letter, or the job fails (see {@link #timeout}); any thread. */
    private void expire(InFlight item) {
        Lateness late = item.placed.lateness(settings.timeout());
        switch (late.verdict()) {
            case DONE -> { } // the batcher's thread reports its outcome
            case SLOW_IMAGE -> item.complete(Either.Left(RecordFactory.timedOut(item.image, item.bytes, settings.timeout())));
            case BEHIND -> backlog.lookAgainLater(() -> expire(item));
            case BATCHER_AT_FAULT -> {
                if (item.finish()) {
                    item.future.completeExceptionally(late.batcherFailure());
                }
            }
        }
    }

    /**
     * Stops the batchers. The predictors (engine sessions) and the engine leases are released only once the
     * batchers' threads have stopped: a batch still running on them is never freed under it (see MicroBatcher#close).
     */
    @Override
    public void close() {
        if (backlog != null) {
            backlog.close();
        }
        if (models != null) {
            // never throws why the model could not be opened: Flink also closes a failing task, and an exception
            // from close() there is fatal to the whole TaskManager ("exception in exception handler")
            models.close();
        }
    }

    /** One image between asyncInvoke and its completion. */
    private final class InFlight {
        final ImageRecord image;
        /**
         * The image's bytes, read once on the task thread: dead letters made on other threads take them from here,
         * not from the record's buffer, which a checkpoint may be copying meanwhile (a copy moves its position).
         */
        final byte[] bytes;
        final ResultFuture<Either<DeadLetter, DetectionRecord>> future;
        final AtomicBoolean done = new AtomicBoolean();
        final long invokedNanos = System.nanoTime();
        /** Set by asyncInvoke; read by timeout (both on the task thread) and by a deferred timeout after it. */
        volatile ModelSwitcher.Placed<InFlight> placed;

        InFlight(ImageRecord image, byte[] bytes, ResultFuture<Either<DeadLetter, DetectionRecord>> future) {
            this.image = image;
            this.bytes = bytes;
            this.future = future;
        }

        /** True for the first caller only: the one that completes the future. */
        boolean finish() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            pending.remove(future);
            metrics.inFlight.decrementAndGet();
            return true;
        }

        void complete(Either<DeadLetter, DetectionRecord> result) {
            if (finish()) {
                if (result.isLeft()) {
                    metrics.deadLetters.inc();
                } else {
                    metrics.detections.inc(result.right().getDetections().size());
                }
                future.complete(List.of(result));
            }
        }
    }

    private final class Listener implements ModelGeneration.Listener<InFlight> {
        @Override
        public void completed(ModelGeneration<InFlight> model, InFlight item, Prediction p, long queueWaitNanos) {
            metrics.images.inc();
            metrics.queueWaitMicros.update(queueWaitNanos / 1000);
            metrics.resultFor(item.image.getEventTime().toEpochMilli(), System.nanoTime() - item.invokedNanos);
            // named by the model that processed it, not by the one the slot may have switched to since
            item.complete(p.ok()
                    ? Either.Right(model.records().detection(item.image, p, queueWaitNanos))
                    : Either.Left(RecordFactory.failed(item.image, item.bytes, p.error())));
        }

        @Override
        public void failed(InFlight item, Throwable error) {
            if (item.finish()) {
                item.future.completeExceptionally(error);
            }
        }

        @Override
        public void batchRan(int size, long inferenceNanos) {
            metrics.batchSize.update(size);
            metrics.inferenceMicros.update(inferenceNanos / 1000);
        }
    }
}

package io.streamdetect.flink;

import io.streamdetect.batching.Lateness;
import io.streamdetect.batching.MicroBatcher;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.predict.Prediction;
import java.util.Collection;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one task slot of a detection operator holds, for operators other than {@link DetectionFunction} (the SQL
 * model's predict function): a lease on the TaskManager's shared engine (on the GPU Flink's external resources
 * give this subtask), a {@link io.streamdetect.predict.Predictor} with its own engine session, a {@link MicroBatcher}, and the
 * operator's metrics. Outcomes reach the {@link Outcomes} given at open, on the batcher's threads.
 *
 * <p>The engine opens in the background, as the DataStream operator's ({@link ModelSwitcher}, without a watch): the
 * task runs, and checkpoints, while it loads; images submitted meanwhile wait for it, and their timeouts count from
 * the moment it is open ({@link #deferTimeout}).
 */
public final class DetectionSlot<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DetectionSlot.class);

    private final ModelSwitcher<T> models;
    private final DetectionMetrics metrics;
    private final io.streamdetect.batching.Backlog backlog;

    /** Receives each image's outcome; exactly one call per submitted image unless the slot closes first. */
    public interface Outcomes<T> {
        /** Detections, or the image's own error ({@link Prediction#ok()} false): not a reason to fail the job. */
        void completed(T item, Prediction prediction, long queueWaitNanos);

        /** The engine failed: not the image's fault, so the job should fail and restart. */
        void failed(T item, Throwable error);
    }

    private DetectionSlot(DetectionSettings settings, EngineSpec spec, MetricGroup metricGroup, String name,
                          Outcomes<T> outcomes, Consumer<T> expire) {
        metrics = new DetectionMetrics(metricGroup);
        backlog = new io.streamdetect.batching.Backlog(name, settings.timeout());
        metrics.timeoutsWhileBehind(backlog::timeoutsWhileBehind);
        models = new ModelSwitcher<>(settings, spec, null, new Listener(outcomes), name,
                new ModelSwapMetrics(metricGroup), expire);
    }

    /**
     * Opens the slot of subtask {@code subtask}; its engine opens in the background.
     *
     * @param gpus   the TaskManager's GPUs from Flink's external resource {@code settings.gpuResource()}
     * @param expire called, on another thread, for an image whose timeout expired while it waited for the engine
     *               to open, {@code settings.timeout()} after the engine opened (see {@link #deferTimeout})
     */
    public static <T> DetectionSlot<T> open(DetectionSettings settings, Collection<ExternalResourceInfo> gpus,
                                            int subtask, MetricGroup metricGroup, Outcomes<T> outcomes,
                                            Consumer<T> expire) {
        return new DetectionSlot<>(settings, engineFor(settings, gpus, subtask), metricGroup,
                "streamdetect-" + subtask, outcomes, expire);
    }

    /** The configured engine, on the GPU the external resources assign to {@code subtask} (TensorRT only). */
    static EngineSpec engineFor(DetectionSettings settings, Collection<ExternalResourceInfo> gpus, int subtask) {
        EngineSpec spec = settings.engine();
        if (spec.cudaDevice() != EngineSpec.DEFAULT_DEVICE || Engines.resolve(spec.backend()) != Backend.TENSORRT) {
            return spec;
        }
        OptionalInt device = GpuAssignment.choose(gpus, subtask);
        if (device.isEmpty()) {
            return spec;
        }
        LOG.info("subtask {} runs on CUDA device {} of external resource '{}' ({} GPUs)", subtask,
                device.getAsInt(), settings.gpuResource(), gpus.size());
        return spec.withCudaDevice(device.getAsInt());
    }

    /**
     * Queues one encoded image (empty for none: it fails as EMPTY_IMAGE); while the engine opens, here.
     *
     * @throws io.streamdetect.batching.BatcherFailedException when the slot's batcher has failed: the job must restart
     * @throws IllegalStateException when the engine could not be opened (with why): the job must restart
     */
    public MicroBatcher.Ticket submit(byte[] image, T item) {
        metrics.inFlight.incrementAndGet();
        try {
            return models.submit(image, item);
        } catch (RuntimeException e) {
            metrics.inFlight.decrementAndGet();
            throw e;
        }
    }

    /**
     * For an image whose timeout expired: true while it waits for the engine to open; leave it be, the slot calls
     * {@code expire} for it a full timeout after the engine opened. False: ask {@link #lateness} now.
     */
    public boolean deferTimeout(MicroBatcher.Ticket ticket) {
        return ((ModelSwitcher.Placed<?>) ticket).deferTimeout();
    }

    /** See {@link MicroBatcher#lateness}: why an image whose timeout expired is late. */
    public Lateness lateness(MicroBatcher.Ticket ticket, java.time.Duration timeout) {
        return ((ModelSwitcher.Placed<?>) ticket).lateness(timeout);
    }

    /**
     * For an image that {@link #lateness} found {@link Lateness.Verdict#BEHIND}: runs {@code lookAgain} a timeout
     * from now, on another thread, unless the slot has closed (see {@link io.streamdetect.batching.Backlog}).
     */
    public void lookAgainLater(Runnable lookAgain) {
        backlog.lookAgainLater(lookAgain);
    }

    /**
     * Stops the batcher; the session and the lease are freed once its threads have stopped, never under a batch
     * still running in native code (see {@link MicroBatcher#close(Runnable)}), also when Flink closes a cancelled
     * task on its interrupted thread.
     */
    @Override
    public void close() {
        backlog.close();
        models.close();
    }

    private final class Listener implements ModelGeneration.Listener<T> {
        private final Outcomes<T> outcomes;

        Listener(Outcomes<T> outcomes) {
            this.outcomes = outcomes;
        }

        @Override
        public void completed(ModelGeneration<T> generation, T item, Prediction p, long queueWaitNanos) {
            metrics.images.inc();
            metrics.queueWaitMicros.update(queueWaitNanos / 1000);
            if (p.ok()) {
                metrics.detections.inc(p.objects().size());
            } else {
                metrics.deadLetters.inc();
            }
            // if this throws, the micro-batcher reports the item through failed(), which counts it out instead
            outcomes.completed(item, p, queueWaitNanos);
            metrics.inFlight.decrementAndGet();
        }

        @Override
        public void failed(T item, Throwable error) {
            metrics.inFlight.decrementAndGet();
            outcomes.failed(item, error);
        }

        @Override
        public void batchRan(int size, long inferenceNanos) {
            metrics.batchSize.update(size);
            metrics.inferenceMicros.update(inferenceNanos / 1000);
        }
    }
}

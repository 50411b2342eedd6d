package io.streamdetect.flink;

import io.streamdetect.batching.BatchingConfig;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.swap.ModelWatch;
import java.io.Serializable;
import java.time.Duration;

/**
 * Everything the detection operator needs, serializable so Flink ships it to each slot. Built with
 * {@link DetectionOperator#builder()}.
 *
 * @param engine     engine to open (shared per TaskManager JVM)
 * @param predictor  decode limits and detection thresholds
 * @param batching   micro-batch size and delay
 * @param timeout    an image not done after this goes to the dead letters as TIMEOUT
 * @param capacity   most images in flight per slot (Flink async capacity)
 * @param ordered    emit in input order (adds latency) instead of as completed
 * @param gpuResource name of Flink's GPU external resource to take the CUDA device from ({@link GpuAssignment})
 * @param modelWatch where to look for replacement models while the job runs; null: the model never changes
 */
public record DetectionSettings(EngineSpec engine, PredictorConfig predictor, BatchingConfig batching,
                                Duration timeout, int capacity, boolean ordered, String gpuResource,
                                ModelWatch modelWatch)
        implements Serializable {
    /** The resource name Flink's documentation uses for GPUs: {@code external-resources: gpu}. */
    public static final String DEFAULT_GPU_RESOURCE = "gpu";

    public DetectionSettings {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }
}

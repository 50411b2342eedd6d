package io.streamdetect.engine;

import io.streamdetect.TimedCount;
import java.nio.FloatBuffer;

/**
 * One thread's handle on an {@link InferenceEngine} (DJL's "predictor" without the translation): a batch in,
 * raw outputs out. Owns its native output memory; not thread-safe.
 */
public interface EngineSession extends AutoCloseable {

    EngineInfo info();

    /**
     * A new input buffer of {@code maxBatch} images in memory this engine reads fast (pinned host memory
     * for TensorRT). The caller owns and closes it; two of them let pre-processing of the next batch overlap
     * inference of the current one.
     */
    InputBatch newInputBatch();

    /**
     * Runs the first {@code batchSize} images of {@code input}.
     *
     * @return {@code batchSize} images' output, {@link EngineInfo#outputSize()} floats each from position 0, in
     *         the layout {@link EngineInfo} describes; valid until the next {@code run} or {@code close}
     * @throws EngineException when the backend fails
     */
    FloatBuffer run(InputBatch input, int batchSize);

    /**
     * The engine's compute alone, for benchmarks: where the backend has host-device copies (TensorRT) they are
     * left out and the output stays on the device; elsewhere the same as {@link #run}.
     */
    default void runComputeOnly(InputBatch input, int batchSize) {
        run(input, batchSize);
    }

    /** The input buffer in GPU memory, where the backend has one (TensorRT), for GPU pre-processing. */
    default java.util.Optional<DeviceInput> deviceInput() {
        return java.util.Optional.empty();
    }

    /**
     * Takes the first-use costs of the batch sizes up to {@code largestBatch} that run as CUDA graphs now, before the
     * session serves, on input read from this session's own input buffer (see {@link DeviceInput#warmUp} for
     * GPU-written input): a capture met while serving costs a few ms, which lands in the latency of the images of
     * that batch. Nothing for backends without graphs.
     */
    default void warmUp(int largestBatch) {}

    /** CUDA graph captures of this session so far (first-use costs); {@link TimedCount#NONE} without graphs. */
    default TimedCount graphCaptures() {
        return TimedCount.NONE;
    }

    /** GPU memory this session holds (TensorRT: activations and buffers); 0 for backends without any. */
    default long deviceMemoryBytes() {
        return 0;
    }

    @Override
    void close();
}

package io.streamdetect.engine;

import java.nio.FloatBuffer;

/**
 * A session that can run on input already in GPU memory, for pre-processing that runs on the GPU and writes the
 * batch there itself (see {@code preprocess.gpu}), so no input tensor crosses PCIe.
 *
 * <p>Runs can be queued: {@link #queueOnDevice} returns at once, and a second run queued behind the first starts on
 * the GPU the moment the first ends, while the caller still waits for the first's output and post-processes it. With
 * one run at a time, the GPU idles between batches for the output copy's wait, the post-processing and the next
 * launch: about 1 ms of a 9 ms batch of 64 on an H200 (docs/benchmarks.md, session 8).
 */
public interface DeviceInput {

    /** Runs that may be queued at once on a session; collect each ({@link QueuedRun#await}) in the order queued. */
    int MAX_QUEUED_RUNS = 2;

    /** The CUDA device the session runs on. */
    int cudaDevice();

    /** A new input batch in this session's GPU memory; the caller closes it. */
    DeviceBatch newDeviceBatch();

    /**
     * Queues the engine on the first {@code batchSize} images of {@code input} and the copy of its output back, on
     * the session's stream, and returns without waiting. The writes to {@code input} must be complete
     * (pre-processing synchronises its own stream); {@code input} must stay unchanged until the run is collected.
     *
     * @throws IllegalStateException when {@link #MAX_QUEUED_RUNS} runs are queued and not yet collected
     */
    QueuedRun queueOnDevice(DeviceBatch input, int batchSize);

    /**
     * Runs the first {@code batchSize} images of {@code input} and copies the output back: {@link #queueOnDevice}
     * and its {@link QueuedRun#await} at once.
     *
     * @return as {@link EngineSession#run}
     */
    default FloatBuffer runOnDevice(DeviceBatch input, int batchSize) {
        return queueOnDevice(input, batchSize).await();
    }

    /** {@link EngineSession#warmUp} for runs that read {@code input}: CUDA graphs are captured per input address. */
    void warmUp(DeviceBatch input, int largestBatch);

    /** A run queued on a session's stream, not yet collected. Used by the thread that queued it. */
    interface QueuedRun {
        /** Whether the run and its output copy are done: {@link #await} would not wait. Never blocks. */
        boolean finished();

        /**
         * Waits for the run; its output, as {@link EngineSession#run} returns it, valid until the session has queued
         * {@link #MAX_QUEUED_RUNS} runs after this one (they use the output buffers in turn) or closes: so the output
         * may be read while the next run computes.
         *
         * @throws IllegalStateException when a run queued before this one has not been collected
         * @throws EngineException       when the GPU failed
         */
        FloatBuffer await();
    }
}

package io.streamdetect.engine;

import java.nio.FloatBuffer;

/**
 * A session that can run on input already in GPU memory, for pre-processing that runs on the GPU and writes the
 * batch there itself (see {@code preprocess.gpu}), so no input tensor crosses PCIe.
 */
public interface DeviceInput {

    /** The CUDA device the session runs on. */
    int cudaDevice();

    /** A new input batch in this session's GPU memory; the caller closes it. */
    DeviceBatch newDeviceBatch();

    /**
     * Runs the first {@code batchSize} images of {@code input} and copies the output back. The writes to
     * {@code input} must be complete (pre-processing synchronises its own stream).
     *
     * @return as {@link EngineSession#run}
     */
    FloatBuffer runOnDevice(DeviceBatch input, int batchSize);

    /** {@link EngineSession#warmUp} for runs that read {@code input}: CUDA graphs are captured per input address. */
    void warmUp(DeviceBatch input, int largestBatch);
}

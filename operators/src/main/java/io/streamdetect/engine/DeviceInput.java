package io.streamdetect.engine;

import java.nio.FloatBuffer;
import org.bytedeco.cuda.cudart.CUstream_st;

/**
 * A session's input buffer in GPU memory, for pre-processing that runs on the GPU and writes the batch there
 * itself (see {@code preprocess.gpu}), so no input tensor crosses PCIe. Work queued on {@link #stream()} runs
 * in order with the session's inference.
 */
public interface DeviceInput {

    /** The CUDA device the buffer is on. */
    int cudaDevice();

    /** The session's stream: queue the writes to the input here. */
    CUstream_st stream();

    /** Device address of image {@code slot}'s NCHW floats ({@link EngineInfo#inputSize()} of them). */
    long slotAddress(int slot);

    /**
     * Runs the first {@code batchSize} images as they are in device memory, after the work already queued on
     * {@link #stream()}, and copies the output back.
     *
     * @return as {@link EngineSession#run}
     */
    FloatBuffer runOnDevice(int batchSize);
}

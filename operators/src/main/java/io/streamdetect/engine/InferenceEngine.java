package io.streamdetect.engine;

import io.streamdetect.model.OnnxModelFile;

/**
 * A loaded model, ready to run (DJL's "model"): an ONNX Runtime session or a TensorRT engine. Thread-safe and
 * meant to be shared by all task slots of a JVM; each thread runs it through its own {@link EngineSession}.
 * Closing it releases the model; sessions must be closed first.
 */
public interface InferenceEngine extends AutoCloseable {

    /** Tensor names, shapes and batch limit. */
    EngineInfo info();

    /** The model file this engine was built from, with its metadata and hash. */
    OnnxModelFile model();

    /** A per-thread session with its own native buffers (and, for TensorRT, execution context and stream). */
    EngineSession openSession();

    /**
     * Whether this engine's sessions replay CUDA graphs: as asked, less where they do not apply (no GPU, a plan with
     * NMS in it under -Dstreamdetect.tensorrt.cuda-graphs.nms=false). What benchmark tables should say, not the
     * setting.
     */
    default boolean cudaGraphs() {
        return false;
    }

    @Override
    void close();
}

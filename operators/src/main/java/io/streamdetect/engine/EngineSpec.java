package io.streamdetect.engine;

import io.streamdetect.postprocess.PostprocessConfig;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What engine to open: serializable, so a Flink job carries it to every task slot.
 *
 * @param modelPath      the .onnx model
 * @param backend        inference library
 * @param precision      engine precision (TensorRT only; ONNX Runtime runs FP32)
 * @param maxBatch       largest batch a session runs; buffers are sized for it
 * @param intraOpThreads ONNX Runtime threads per inference call; 0 lets ONNX Runtime choose (all cores)
 * @param calibrationDir TensorRT INT8 only: images for entropy calibration; null otherwise
 * @param cudaDevice     TensorRT only: the CUDA device index, or {@link #DEFAULT_DEVICE} for
 *                       {@code STREAMDETECT_CUDA_DEVICE}, else 0
 * @param engineNms      TensorRT only: build NMS into the plan with these thresholds, so only detections leave
 *                       the GPU; null to run NMS on the host (the only choice for ONNX Runtime)
 */
public record EngineSpec(String modelPath, Backend backend, Precision precision, int maxBatch, int intraOpThreads,
                         String calibrationDir, int cudaDevice, PostprocessConfig engineNms) implements Serializable {
    /** No device chosen: {@code STREAMDETECT_CUDA_DEVICE} if set, else device 0. */
    public static final int DEFAULT_DEVICE = -1;

    public EngineSpec(String modelPath, Backend backend, Precision precision, int maxBatch, int intraOpThreads) {
        this(modelPath, backend, precision, maxBatch, intraOpThreads, null);
    }

    public EngineSpec(String modelPath, Backend backend, Precision precision, int maxBatch, int intraOpThreads,
                      String calibrationDir) {
        this(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, DEFAULT_DEVICE, null);
    }

    public EngineSpec {
        Objects.requireNonNull(modelPath, "modelPath");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(precision, "precision");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be 0 (automatic) or more, got " + intraOpThreads);
        }
        if (cudaDevice < DEFAULT_DEVICE) {
            throw new IllegalArgumentException("cudaDevice must be a device index or DEFAULT_DEVICE, got " + cudaDevice);
        }
    }

    /** ONNX Runtime, FP32, the given batch, threads chosen by ONNX Runtime. */
    public static EngineSpec onnxRuntime(Path model, int maxBatch) {
        return new EngineSpec(model.toString(), Backend.ONNXRUNTIME, Precision.FP32, maxBatch, 0);
    }

    public Path model() {
        return Path.of(modelPath);
    }

    public EngineSpec withBackend(Backend b) {
        return new EngineSpec(modelPath, b, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice, engineNms);
    }

    /** The same engine settings for another model file (a replacement found by {@code model.watch}). */
    public EngineSpec withModelPath(String path) {
        return new EngineSpec(path, backend, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice, engineNms);
    }

    public EngineSpec withCudaDevice(int device) {
        return new EngineSpec(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, device, engineNms);
    }

    /** NMS built into the TensorRT plan with {@code thresholds}; null for NMS on the host. */
    public EngineSpec withEngineNms(PostprocessConfig thresholds) {
        return new EngineSpec(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice, thresholds);
    }
}

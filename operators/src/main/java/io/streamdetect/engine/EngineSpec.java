package io.streamdetect.engine;

import io.streamdetect.postprocess.NmsPlacement;
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
 * @param calibrationDir TensorRT INT8 only: images for min-max calibration; null otherwise
 * @param cudaDevice     TensorRT only: the CUDA device index, or {@link #DEFAULT_DEVICE} for
 *                       {@code STREAMDETECT_CUDA_DEVICE}, else 0
 * @param engineNms      TensorRT only: build NMS into the plan with these thresholds, so only detections leave
 *                       the GPU; null to run NMS on the host (the only choice for ONNX Runtime). With {@code nms}
 *                       AUTO, the thresholds in case {@link Engines#open} resolves it to the engine
 * @param nms            where NMS runs as asked: HOST (engineNms null), ENGINE, or AUTO, which {@link Engines#open}
 *                       resolves once the backend is known ({@link io.streamdetect.postprocess.NmsChoice})
 * @param profiles       TensorRT only: the plan's optimisation profiles besides 1..maxBatch, {@code auto},
 *                       {@code none} or batch sizes such as {@code 1,8} (see OptimizationProfiles)
 * @param cudaGraphs     TensorRT only: replay each batch size's engine launch as a CUDA graph captured on first
 *                       use, instead of launching its kernels one by one
 */
public record EngineSpec(String modelPath, Backend backend, Precision precision, int maxBatch, int intraOpThreads,
                         String calibrationDir, int cudaDevice, PostprocessConfig engineNms, NmsPlacement nms,
                         String profiles, boolean cudaGraphs) implements Serializable {
    /** The default of {@link #profiles}: batch 1 and 8 profiles below the max batch. */
    public static final String DEFAULT_PROFILES = "auto";
    /** No device chosen: {@code STREAMDETECT_CUDA_DEVICE} if set, else device 0. */
    public static final int DEFAULT_DEVICE = -1;

    public EngineSpec(String modelPath, Backend backend, Precision precision, int maxBatch, int intraOpThreads) {
        this(modelPath, backend, precision, maxBatch, intraOpThreads, null);
    }

    public EngineSpec(String modelPath, Backend backend, Precision precision, int maxBatch, int intraOpThreads,
                      String calibrationDir) {
        this(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, DEFAULT_DEVICE, null);
    }

    /** NMS in the engine with {@code engineNms}, or on the host when it is null. */
    public EngineSpec(String modelPath, Backend backend, Precision precision, int maxBatch, int intraOpThreads,
                      String calibrationDir, int cudaDevice, PostprocessConfig engineNms) {
        this(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice, engineNms,
                engineNms == null ? NmsPlacement.HOST : NmsPlacement.ENGINE);
    }

    /** Default TensorRT profiles, CUDA graphs on. */
    public EngineSpec(String modelPath, Backend backend, Precision precision, int maxBatch, int intraOpThreads,
                      String calibrationDir, int cudaDevice, PostprocessConfig engineNms, NmsPlacement nms) {
        this(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice, engineNms, nms,
                DEFAULT_PROFILES, true);
    }

    public EngineSpec {
        Objects.requireNonNull(profiles, "profiles");
        Objects.requireNonNull(modelPath, "modelPath");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(precision, "precision");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be 0 (automatic) or more, got " + intraOpThreads);
        }
        Objects.requireNonNull(nms, "nms");
        if ((nms == NmsPlacement.HOST) != (engineNms == null)) {
            throw new IllegalArgumentException("NMS " + nms.label() + (engineNms == null ? " needs" : " takes no")
                    + " thresholds for the engine");
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
        return new EngineSpec(modelPath, b, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice, engineNms,
                nms, profiles, cudaGraphs);
    }

    /** The same engine settings for another model file (a replacement found by {@code model.watch}). */
    public EngineSpec withModelPath(String path) {
        return new EngineSpec(path, backend, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice, engineNms,
                nms, profiles, cudaGraphs);
    }

    public EngineSpec withCudaDevice(int device) {
        return new EngineSpec(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, device, engineNms,
                nms, profiles, cudaGraphs);
    }

    /** NMS built into the TensorRT plan with {@code thresholds}; null for NMS on the host. */
    public EngineSpec withEngineNms(PostprocessConfig thresholds) {
        return new EngineSpec(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice, thresholds,
                thresholds == null ? NmsPlacement.HOST : NmsPlacement.ENGINE, profiles, cudaGraphs);
    }

    /** TensorRT's optimisation profiles besides 1..maxBatch: auto, none or batch sizes such as 1,8. */
    public EngineSpec withProfiles(String setting) {
        return new EngineSpec(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice, engineNms,
                nms, setting, cudaGraphs);
    }

    /** Whether TensorRT sessions replay captured CUDA graphs (the default) or launch kernels one by one. */
    public EngineSpec withCudaGraphs(boolean on) {
        return new EngineSpec(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice, engineNms,
                nms, profiles, on);
    }

    /**
     * NMS where {@code placement} says: on the host, in the plan with {@code thresholds}, or AUTO (resolved by
     * {@link Engines#open}; {@code thresholds} used if that picks the plan).
     */
    public EngineSpec withNms(NmsPlacement placement, PostprocessConfig thresholds) {
        return new EngineSpec(modelPath, backend, precision, maxBatch, intraOpThreads, calibrationDir, cudaDevice,
                placement == NmsPlacement.HOST ? null : thresholds, placement, profiles, cudaGraphs);
    }
}

package io.streamdetect.engine;

import io.streamdetect.engine.onnxruntime.OnnxRuntimeEngine;
import io.streamdetect.engine.tensorrt.PlanCache;
import io.streamdetect.engine.tensorrt.TensorRt;
import io.streamdetect.engine.tensorrt.TensorRtEngine;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.model.OnnxModelFile;
import io.streamdetect.postprocess.NmsChoice;
import io.streamdetect.postprocess.NmsPlacement;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the engine an {@link EngineSpec} asks for, resolving {@link Backend#AUTO} and {@link NmsPlacement#AUTO}. */
public final class Engines {
    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);

    private Engines() {}

    public static InferenceEngine open(EngineSpec asked) {
        Backend backend = backendFor(asked.model(), asked.backend());
        EngineSpec spec = resolveNms(asked, backend);
        return switch (backend) {
            case ONNXRUNTIME -> {
                if (spec.precision() != Precision.FP32) {
                    throw new IllegalArgumentException("ONNX Runtime (CPU) runs FP32 only; " + spec.precision().label()
                            + " needs --backend tensorrt");
                }
                yield OnnxRuntimeEngine.open(OnnxModelFile.read(spec.model()), spec);
            }
            case TENSORRT -> TensorRtEngine.open(spec, PlanCache.defaultCache(),
                    spec.cudaDevice() == EngineSpec.DEFAULT_DEVICE ? defaultCudaDevice() : spec.cudaDevice());
            case AUTO -> throw new IllegalStateException("unresolved backend");
        };
    }

    /**
     * {@code spec} with its NMS placement resolved for {@code backend} (see {@link NmsChoice}): NMS thresholds in
     * the spec only when the plan gets NMS. A prebuilt {@code .engine} file has its NMS (or none) built in already.
     * Logs the choice when it was {@code auto}, as the job's start-up lines do for pre-processing.
     */
    public static EngineSpec resolveNms(EngineSpec spec, Backend backend) {
        if (spec.nms() != NmsPlacement.AUTO || spec.modelPath().endsWith(".engine")) {
            return spec;
        }
        NmsChoice choice = nmsChoice(spec, backend);
        LOG.info("NMS {} for {}", choice.describe(), spec.model().getFileName());
        return spec.withNms(choice.chosen(), spec.engineNms());
    }

    /** How {@code spec}'s NMS placement resolves for {@code backend}; reads the model's head only for TensorRT. */
    public static NmsChoice nmsChoice(EngineSpec spec, Backend backend) {
        DetectionHead head = backend == Backend.TENSORRT && spec.modelPath().endsWith(".onnx")
                ? OnnxModelFile.read(spec.model()).head() : DetectionHead.CLASSIC;
        return NmsChoice.resolve(spec.nms(), backend, head);
    }

    /** The backend that runs {@code model}: TensorRT for a prebuilt {@code .engine} file, whatever was asked; else {@link #resolve}. */
    public static Backend backendFor(java.nio.file.Path model, Backend asked) {
        return model.getFileName().toString().endsWith(".engine") ? Backend.TENSORRT : resolve(asked);
    }

    /** AUTO becomes TensorRT only where a CUDA device is visible and TensorRT can run; else ONNX Runtime. */
    public static Backend resolve(Backend requested) {
        if (requested != Backend.AUTO) {
            return requested;
        }
        return cudaDeviceVisible() && tensorRtAvailable() ? Backend.TENSORRT : Backend.ONNXRUNTIME;
    }

    /** True when the NVIDIA driver exposes at least one GPU to this process (cheap: no native loading). */
    public static boolean cudaDeviceVisible() {
        return Files.exists(Path.of("/dev/nvidia0")) || Files.isDirectory(Path.of("/proc/driver/nvidia/gpus"));
    }

    static boolean tensorRtAvailable() {
        return TensorRt.available();
    }

    /** The CUDA device when the spec names none: {@code STREAMDETECT_CUDA_DEVICE}, else 0. */
    static int defaultCudaDevice() {
        String env = System.getenv("STREAMDETECT_CUDA_DEVICE");
        return env == null || env.isBlank() ? 0 : Integer.parseInt(env.trim());
    }
}

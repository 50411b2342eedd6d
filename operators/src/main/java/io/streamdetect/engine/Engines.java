package io.streamdetect.engine;

import io.streamdetect.engine.onnxruntime.OnnxRuntimeEngine;
import io.streamdetect.engine.tensorrt.PlanCache;
import io.streamdetect.engine.tensorrt.TensorRt;
import io.streamdetect.engine.tensorrt.TensorRtEngine;
import io.streamdetect.model.OnnxModelFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the engine an {@link EngineSpec} asks for, resolving {@link Backend#AUTO}. */
public final class Engines {
    private Engines() {}

    public static InferenceEngine open(EngineSpec spec) {
        Backend backend = spec.model().getFileName().toString().endsWith(".engine") ? Backend.TENSORRT
                : resolve(spec.backend());
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

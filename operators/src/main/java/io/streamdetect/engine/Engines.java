package io.streamdetect.engine;

import io.streamdetect.engine.onnxruntime.OnnxRuntimeEngine;
import io.streamdetect.model.OnnxModelFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the engine an {@link EngineSpec} asks for, resolving {@link Backend#AUTO}. */
public final class Engines {
    private Engines() {}

    public static InferenceEngine open(EngineSpec spec) {
        OnnxModelFile model = OnnxModelFile.read(spec.model());
        Backend backend = resolve(spec.backend());
        return switch (backend) {
            case ONNXRUNTIME -> OnnxRuntimeEngine.open(model, spec);
            case TENSORRT -> throw new EngineException("the TensorRT backend is not part of this build yet; "
                    + "use --backend onnxruntime");
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

    /** True when the NVIDIA driver exposes at least one GPU to this process. */
    public static boolean cudaDeviceVisible() {
        return Files.exists(Path.of("/dev/nvidia0")) || Files.isDirectory(Path.of("/proc/driver/nvidia/gpus"));
    }

    static boolean tensorRtAvailable() {
        return false;
    }
}

package io.streamdetect.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which inference library runs the model. */
public enum Backend {
    /** TensorRT when a CUDA device is visible and the TensorRT natives are installed, else ONNX Runtime. */
    AUTO,
    /** ONNX Runtime on the CPU: the embedded default, works everywhere. */
    ONNXRUNTIME,
    /** NVIDIA TensorRT on a CUDA GPU. */
    TENSORRT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a user-given name, case-insensitively; the error lists the valid names. */
    public static Backend parse(String text) {
        for (Backend b : values()) {
            if (b.name().equalsIgnoreCase(text.trim()) || (b == ONNXRUNTIME && text.trim().equalsIgnoreCase("ort"))) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + text + "', expected one of "
                + Arrays.stream(values()).map(Backend::label).collect(Collectors.joining(", ")));
    }
}

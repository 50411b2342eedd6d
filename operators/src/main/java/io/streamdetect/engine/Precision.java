package io.streamdetect.engine;

import java.util.Locale;

/** Numeric precision of an engine. ONNX Runtime (CPU) always runs FP32. */
public enum Precision {
    FP32, FP16, INT8;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Precision parse(String text) {
        for (Precision p : values()) {
            if (p.name().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + text + "', expected fp32, fp16 or int8");
    }
}

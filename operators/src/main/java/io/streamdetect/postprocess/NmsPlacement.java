package io.streamdetect.postprocess;

import java.util.Locale;

/** Where class-wise NMS runs. */
public enum NmsPlacement {
    /** In Java on the raw YOLO output: every backend; thresholds can change per job. */
    HOST,
    /**
     * Built into the TensorRT plan (EfficientNMS), so only detections leave the GPU; the thresholds become part of
     * the plan. ONNX Runtime ignores it.
     */
    ENGINE;

    public static NmsPlacement parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown NMS placement '" + text + "': use host or engine");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

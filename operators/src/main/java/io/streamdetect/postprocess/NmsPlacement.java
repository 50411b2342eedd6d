package io.streamdetect.postprocess;

import java.util.Locale;

/** Where class-wise NMS runs. */
public enum NmsPlacement {
    /**
     * Resolved per engine by {@link NmsChoice#resolve}: {@link #ENGINE} for TensorRT with a classic head (NMS on the
     * host would cap a GPU at a fraction of its throughput), {@link #HOST} otherwise.
     */
    AUTO,
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
            throw new IllegalArgumentException("unknown NMS placement '" + text + "': use auto, host or engine");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

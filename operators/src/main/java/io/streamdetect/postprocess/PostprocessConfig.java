package io.streamdetect.postprocess;

import java.io.Serializable;

/**
 * Detection filtering, with Ultralytics' defaults.
 *
 * @param confidence    minimum class score kept (Ultralytics {@code conf}, 0.25)
 * @param iou           class-wise NMS overlap above which the lower-scored box is dropped ({@code iou}, 0.7)
 * @param maxDetections most boxes kept per image ({@code max_det}, 300)
 */
public record PostprocessConfig(float confidence, float iou, int maxDetections) implements Serializable {
    public static final PostprocessConfig DEFAULT = new PostprocessConfig(0.25f, 0.7f, 300);
    /** Ultralytics' cap on boxes entering NMS ({@code max_nms}). */
    public static final int MAX_NMS_CANDIDATES = 30_000;

    public PostprocessConfig {
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be within 0..1, got " + confidence);
        }
        if (!(iou > 0 && iou <= 1)) {
            throw new IllegalArgumentException("iou must be within (0, 1], got " + iou);
        }
        if (maxDetections < 1) {
            throw new IllegalArgumentException("maxDetections must be at least 1, got " + maxDetections);
        }
    }

    public PostprocessConfig withConfidence(float c) {
        return new PostprocessConfig(c, iou, maxDetections);
    }

    public PostprocessConfig withIou(float i) {
        return new PostprocessConfig(confidence, i, maxDetections);
    }
}

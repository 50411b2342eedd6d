package io.streamdetect.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a detection model's output holds, read from its output shape and metadata.
 *
 * <ul>
 *   <li>{@link #CLASSIC}: YOLOv8/YOLO11's {@code [batch, 4 + classes, anchors]}, rows cx, cy, w, h then one score
 *       per class; it needs NMS (on the host, or built into a TensorRT plan).</li>
 *   <li>{@link #END_TO_END}: YOLO26's and YOLOv10's {@code [batch, detections, 6]}, rows x1, y1, x2, y2 (input
 *       pixels), score, class, best first; the model picked its boxes itself (one-to-one head), so there is no NMS,
 *       only the confidence threshold and the detection cap. Ultralytics writes {@code end2end: True} into such
 *       exports.</li>
 * </ul>
 */
public enum DetectionHead {
    CLASSIC("classic", "[4 + classes, anchors], NMS"),
    END_TO_END("end2end", "[detections, 6], no NMS");

    /** Floats per row of an end-to-end output: x1, y1, x2, y2, score, class. */
    public static final int END_TO_END_FIELDS = 6;

    private final String label;
    private final String layout;

    DetectionHead(String label, String layout) {
        this.label = label;
        this.layout = layout;
    }

    /** "classic" or "end2end", as in plan keys, engine headers and command output. */
    public String label() {
        return label;
    }

    /** e.g. "end2end head [detections, 6], no NMS", for command output. */
    public String describe() {
        return label + " head " + layout;
    }

    public static DetectionHead parse(String label) {
        for (DetectionHead h : values()) {
            if (h.label.equals(label.trim().toLowerCase(Locale.ROOT))) {
                return h;
            }
        }
        throw new IllegalArgumentException("unknown detection head '" + label + "': classic or end2end");
    }

    /**
     * The head of a model whose (per-batch) output has {@code outputShape} (unknown dimensions {@code <= 0}).
     * The metadata's {@code end2end} decides where it is present; exports older than that key (YOLOv10) are
     * recognised by their {@code [batch, detections, 6]} shape, which a classic head of 80 classes cannot have.
     *
     * @throws ModelException when the output is neither layout, or disagrees with the metadata
     */
    public static DetectionHead of(long[] outputShape, ModelMetadata metadata, String file) {
        int classes = metadata.classCount();
        if (outputShape.length != 3) {
            throw new ModelException(file + ": output has shape " + Arrays.toString(outputShape)
                    + ", which is not YOLO's [batch, 4 + classes, anchors] nor an end-to-end [batch, detections, 6]");
        }
        boolean sixFields = outputShape[2] == END_TO_END_FIELDS;
        Boolean declared = metadata.endToEnd();
        if (Boolean.TRUE.equals(declared)) {
            if (!sixFields || outputShape[1] < 1) {
                throw new ModelException(file + ": the metadata says end2end, but the output has shape "
                        + Arrays.toString(outputShape) + " instead of [batch, detections, 6]");
            }
            return END_TO_END;
        }
        if (declared == null && sixFields && outputShape[1] > 0 && (classes == 0 || outputShape[1] != 4 + classes)) {
            return END_TO_END;
        }
        if (outputShape[1] < 5) {
            throw new ModelException(file + ": output has shape " + Arrays.toString(outputShape)
                    + ", which is not YOLO's [batch, 4 + classes, anchors]");
        }
        if (classes > 0 && outputShape[1] != 4 + classes) {
            throw new ModelException(file + ": output has " + outputShape[1] + " rows per anchor but the metadata names "
                    + classes + " classes; a YOLO detection output has 4 + classes rows (an end-to-end head, "
                    + "[batch, detections, 6], would need end2end: True in the metadata)");
        }
        return CLASSIC;
    }
}

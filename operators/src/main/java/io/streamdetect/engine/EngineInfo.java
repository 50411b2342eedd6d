package io.streamdetect.engine;

import io.streamdetect.model.DetectionHead;

/**
 * What an engine declares about itself: where its tensors are, how big a batch it takes, and what its output
 * holds.
 *
 * <p>Three output layouts, per image, as {@link EngineSession#run} returns them:
 * <ul>
 *   <li>classic raw ({@link DetectionHead#CLASSIC}, {@code nmsMaxDetections == 0}): YOLO's {@code [outputRows =
 *       4 + classes, outputAnchors]}, rows cx, cy, w, h, then one score per class; the host decodes boxes and
 *       runs NMS;</li>
 *   <li>end-to-end ({@link DetectionHead#END_TO_END}): {@code [outputRows = detections, outputAnchors = 6]}, rows
 *       of x1, y1, x2, y2 (input pixels), score, class, best first; no NMS, the host applies the confidence
 *       threshold and the detection cap;</li>
 *   <li>NMS in the engine ({@code nmsMaxDetections > 0}, TensorRT plans of classic models built with NMS): one
 *       float with the number of detections n, then {@code nmsMaxDetections} rows of {@link #DETECTION_FIELDS}
 *       floats (x1, y1, x2, y2 in input pixels, score, class), of which the first n hold detections, best
 *       first.</li>
 * </ul>
 *
 * @param backend          the library running it
 * @param precision        its numeric precision
 * @param maxBatch         largest batch one run accepts
 * @param staticBatch      true when the model's batch size is fixed at {@code maxBatch} (Ultralytics' default
 *                         export): a run of fewer images still computes {@code maxBatch}, the rest padding
 * @param inputName        name of the image input tensor, NCHW float
 * @param inputHeight      model input height in pixels
 * @param inputWidth       model input width in pixels
 * @param outputName       name of the (main) output tensor
 * @param head             what the model's output holds
 * @param outputRows       per image: 4 + classes (classic), detections (end-to-end)
 * @param outputAnchors    per image: anchor points (classic), 6 (end-to-end)
 * @param nmsMaxDetections 0 unless the engine runs NMS and returns at most this many per image
 */
public record EngineInfo(Backend backend, Precision precision, int maxBatch, boolean staticBatch, String inputName,
                         int inputHeight, int inputWidth, String outputName, DetectionHead head, int outputRows,
                         int outputAnchors, int nmsMaxDetections) {
    public static final int CHANNELS = 3;
    /** Floats per detection row of the NMS and end-to-end layouts: x1, y1, x2, y2, score, class. */
    public static final int DETECTION_FIELDS = DetectionHead.END_TO_END_FIELDS;

    /** A classic, dynamic-batch engine; NMS in it when {@code nmsMaxDetections > 0}. */
    public EngineInfo(Backend backend, Precision precision, int maxBatch, String inputName, int inputHeight,
                      int inputWidth, String outputName, int outputRows, int outputAnchors, int nmsMaxDetections) {
        this(backend, precision, maxBatch, false, inputName, inputHeight, inputWidth, outputName, DetectionHead.CLASSIC,
                outputRows, outputAnchors, nmsMaxDetections);
    }

    /** A classic, dynamic-batch engine with the raw YOLO output. */
    public EngineInfo(Backend backend, Precision precision, int maxBatch, String inputName, int inputHeight,
                      int inputWidth, String outputName, int outputRows, int outputAnchors) {
        this(backend, precision, maxBatch, inputName, inputHeight, inputWidth, outputName, outputRows, outputAnchors, 0);
    }

    public EngineInfo {
        if (head == DetectionHead.END_TO_END && (outputAnchors != DETECTION_FIELDS || nmsMaxDetections > 0)) {
            throw new IllegalArgumentException("an end-to-end output is [detections, 6] and has no NMS added, got ["
                    + outputRows + ", " + outputAnchors + "], NMS " + nmsMaxDetections);
        }
    }

    /** Floats one image occupies in the input batch. */
    public int inputSize() {
        return CHANNELS * inputHeight * inputWidth;
    }

    /** True when the engine returns detections after NMS rather than raw predictions. */
    public boolean nmsInEngine() {
        return nmsMaxDetections > 0;
    }

    /** True when the output is rows of detections (end-to-end head, or NMS in the engine): no NMS on the host. */
    public boolean returnsDetections() {
        return nmsInEngine() || head == DetectionHead.END_TO_END;
    }

    /** Floats one image's output occupies, in any layout. */
    public int outputSize() {
        return nmsInEngine() ? 1 + DETECTION_FIELDS * nmsMaxDetections : outputRows * outputAnchors;
    }

    /** For command output: "classic head ..., batch 1..8" or "end2end head ..., batch fixed at 1". */
    public String describe() {
        String layout = nmsInEngine() ? head.label() + " head, NMS in the plan (at most " + nmsMaxDetections + ")"
                : head.describe();
        return layout + ", " + (staticBatch ? "batch fixed at " + maxBatch : "batch 1.." + maxBatch);
    }
}

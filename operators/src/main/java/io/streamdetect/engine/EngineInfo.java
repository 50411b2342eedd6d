package io.streamdetect.engine;

/**
 * What an engine declares about itself: where its tensors are, how big a batch it takes, and what its output
 * holds.
 *
 * <p>Two output layouts, per image, as {@link EngineSession#run} returns them:
 * <ul>
 *   <li>raw ({@code nmsMaxDetections == 0}): YOLO's {@code [outputRows = 4 + classes, outputAnchors]}, rows cx,
 *       cy, w, h, then one score per class; the host decodes boxes and runs NMS;</li>
 *   <li>NMS in the engine ({@code nmsMaxDetections > 0}, TensorRT plans built with NMS): one float with the
 *       number of detections n, then {@code nmsMaxDetections} rows of {@link #DETECTION_FIELDS} floats (x1, y1,
 *       x2, y2 in input pixels, score, class), of which the first n hold detections, best first.</li>
 * </ul>
 *
 * @param backend          the library running it
 * @param precision        its numeric precision
 * @param maxBatch         largest batch one run accepts
 * @param inputName        name of the image input tensor, NCHW float
 * @param inputHeight      model input height in pixels
 * @param inputWidth       model input width in pixels
 * @param outputName       name of the (main) output tensor
 * @param outputRows       raw layout: 4 box values + one score per class
 * @param outputAnchors    raw layout: anchor points per image
 * @param nmsMaxDetections 0 for the raw layout; else the engine runs NMS and returns at most this many per image
 */
public record EngineInfo(Backend backend, Precision precision, int maxBatch, String inputName, int inputHeight,
                         int inputWidth, String outputName, int outputRows, int outputAnchors, int nmsMaxDetections) {
    public static final int CHANNELS = 3;
    /** Floats per detection row of the NMS layout: x1, y1, x2, y2, score, class. */
    public static final int DETECTION_FIELDS = 6;

    /** An engine with the raw YOLO output. */
    public EngineInfo(Backend backend, Precision precision, int maxBatch, String inputName, int inputHeight,
                      int inputWidth, String outputName, int outputRows, int outputAnchors) {
        this(backend, precision, maxBatch, inputName, inputHeight, inputWidth, outputName, outputRows, outputAnchors, 0);
    }

    /** Floats one image occupies in the input batch. */
    public int inputSize() {
        return CHANNELS * inputHeight * inputWidth;
    }

    /** True when the engine returns detections after NMS rather than raw predictions. */
    public boolean nmsInEngine() {
        return nmsMaxDetections > 0;
    }

    /** Floats one image's output occupies, in either layout. */
    public int outputSize() {
        return nmsInEngine() ? 1 + DETECTION_FIELDS * nmsMaxDetections : outputRows * outputAnchors;
    }
}

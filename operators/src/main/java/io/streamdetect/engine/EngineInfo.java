package io.streamdetect.engine;

/**
 * What an engine declares about itself: where its tensors are and how big a batch it takes.
 *
 * @param backend       the library running it
 * @param precision     its numeric precision
 * @param maxBatch      largest batch one run accepts
 * @param inputName     name of the image input tensor, NCHW float
 * @param inputHeight   model input height in pixels
 * @param inputWidth    model input width in pixels
 * @param outputName    name of the raw detection output tensor
 * @param outputRows    4 box values + one score per class
 * @param outputAnchors anchor points per image
 */
public record EngineInfo(Backend backend, Precision precision, int maxBatch, String inputName, int inputHeight,
                         int inputWidth, String outputName, int outputRows, int outputAnchors) {
    public static final int CHANNELS = 3;

    /** Floats one image occupies in the input batch. */
    public int inputSize() {
        return CHANNELS * inputHeight * inputWidth;
    }

    /** Floats one image's raw output occupies. */
    public int outputSize() {
        return outputRows * outputAnchors;
    }

    public int classCount() {
        return outputRows - 4;
    }
}

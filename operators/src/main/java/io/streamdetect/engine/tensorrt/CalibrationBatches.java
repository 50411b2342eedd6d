package io.streamdetect.engine.tensorrt;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits calibration images into batches for TensorRT's INT8 calibrator: full batches only, because
 * TensorRT calibrates at one fixed batch size; a tail smaller than a batch is left out (and reported).
 */
public final class CalibrationBatches<T> {
    private final List<List<T>> batches = new ArrayList<>();
    private final int leftOut;
    private int next;

    public CalibrationBatches(List<T> images, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("calibration batch size must be at least 1, got " + batchSize);
        }
        if (images.size() < batchSize) {
            throw new IllegalArgumentException("INT8 calibration needs at least one batch of " + batchSize
                    + " images, got " + images.size() + " (lower --calib-batch or add images to the folder)");
        }
        int full = images.size() / batchSize;
        for (int b = 0; b < full; b++) {
            batches.add(List.copyOf(images.subList(b * batchSize, (b + 1) * batchSize)));
        }
        leftOut = images.size() - full * batchSize;
    }

    public int count() {
        return batches.size();
    }

    /** Images not used because they did not fill a batch. */
    public int leftOut() {
        return leftOut;
    }

    /** The next batch, or null when all were handed out (TensorRT's signal that calibration is done). */
    public List<T> next() {
        return next < batches.size() ? batches.get(next++) : null;
    }
}

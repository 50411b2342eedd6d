package io.streamdetect.batching;

import io.streamdetect.predict.Prediction;

/** Receives each submitted image's outcome, on the batcher's threads. */
public interface BatchListener<T> {

    /**
     * The image of {@code item} was processed: {@code prediction} holds its detections or, for a bad image,
     * the error.
     *
     * @param queueWaitNanos from submission until its batch started inference (or until it failed)
     */
    void completed(T item, Prediction prediction, long queueWaitNanos);

    /** The engine failed on the batch holding {@code item}: not the image's fault, so not a dead letter. */
    void failed(T item, Throwable error);

    /** One batch ran; for metrics. */
    default void batchRan(int size, long inferenceNanos) {}
}

package io.streamdetect.predict;

import io.streamdetect.PipelineException;
import io.streamdetect.postprocess.DetectedObject;
import java.util.List;

/**
 * The outcome for one image: its detections, or the reason it failed. Exactly one of {@code objects} and
 * {@code error} is meaningful.
 */
public record Prediction(int width, int height, List<DetectedObject> objects, PipelineException error,
                         long preprocessNanos, long inferenceNanos, int batchSize) {

    public static Prediction failed(PipelineException error) {
        return new Prediction(0, 0, List.of(), error, 0, 0, 0);
    }

    public boolean ok() {
        return error == null;
    }
}

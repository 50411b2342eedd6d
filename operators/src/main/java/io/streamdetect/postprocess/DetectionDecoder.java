package io.streamdetect.postprocess;

import io.streamdetect.engine.EngineInfo;
import io.streamdetect.model.ModelMetadata;
import io.streamdetect.preprocess.Letterbox;
import java.nio.FloatBuffer;
import java.util.List;

/** Turns one image's engine output into detections in original-image pixels. Thread-safe: MicroBatcher decodes the slots of one output on several threads. */
public interface DetectionDecoder {

    /** Decodes image {@code slot} of a batch output. */
    List<DetectedObject> decode(FloatBuffer output, int slot, Letterbox letterbox);

    /**
     * The decoder for an engine's output layout: YOLO's classic raw output is decoded and NMS'ed here with
     * {@code config}; detections from an end-to-end head or from NMS in the plan only get its confidence
     * threshold and detection cap.
     */
    static DetectionDecoder of(EngineInfo info, ModelMetadata metadata, PostprocessConfig config) {
        return info.returnsDetections() ? new EngineDetectionsDecoder(info, metadata, config)
                : new YoloOutputDecoder(info.outputRows(), info.outputAnchors(), metadata, config);
    }
}

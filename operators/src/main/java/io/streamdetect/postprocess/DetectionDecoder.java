package io.streamdetect.postprocess;

import io.streamdetect.engine.EngineInfo;
import io.streamdetect.model.ModelMetadata;
import io.streamdetect.preprocess.Letterbox;
import java.nio.FloatBuffer;
import java.util.List;

/** Turns one image's engine output into detections in original-image pixels. One per thread. */
public interface DetectionDecoder {

    /** Decodes image {@code slot} of a batch output. */
    List<DetectedObject> decode(FloatBuffer output, int slot, Letterbox letterbox);

    /**
     * The decoder for an engine's output layout: YOLO's raw output is decoded and NMS'ed here with
     * {@code config}; an engine with NMS built in has applied the thresholds it was built with.
     */
    static DetectionDecoder of(EngineInfo info, ModelMetadata metadata, PostprocessConfig config) {
        return info.nmsInEngine() ? new EngineDetectionsDecoder(info, metadata)
                : new YoloOutputDecoder(info.outputRows(), info.outputAnchors(), metadata, config);
    }
}

package io.streamdetect.postprocess;

import io.streamdetect.engine.EngineInfo;
import io.streamdetect.model.ModelMetadata;
import io.streamdetect.preprocess.Letterbox;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads detections from an engine that ran NMS itself ({@link EngineInfo#nmsInEngine()}): per image a count,
 * then rows of x1, y1, x2, y2 (input pixels), score, class, best first. Only the mapping back through the
 * letterbox is left to do on the host. Thread-safe: holds no scratch.
 */
public final class EngineDetectionsDecoder implements DetectionDecoder {
    private final int imageSize;
    private final int maxDetections;
    private final ModelMetadata metadata;

    public EngineDetectionsDecoder(EngineInfo info, ModelMetadata metadata) {
        if (!info.nmsInEngine()) {
            throw new IllegalArgumentException("the engine returns raw predictions, not detections: use YoloOutputDecoder");
        }
        this.imageSize = info.outputSize();
        this.maxDetections = info.nmsMaxDetections();
        this.metadata = metadata;
    }

    @Override
    public List<DetectedObject> decode(FloatBuffer output, int slot, Letterbox letterbox) {
        int at = slot * imageSize;
        int count = Math.min(maxDetections, (int) output.get(at));
        List<DetectedObject> objects = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int row = at + 1 + i * EngineInfo.DETECTION_FIELDS;
            int cls = Math.round(output.get(row + 5));
            objects.add(new DetectedObject(cls, metadata.className(cls), output.get(row + 4),
                    letterbox.toSourceX(output.get(row)), letterbox.toSourceY(output.get(row + 1)),
                    letterbox.toSourceX(output.get(row + 2)), letterbox.toSourceY(output.get(row + 3))));
        }
        return objects;
    }
}

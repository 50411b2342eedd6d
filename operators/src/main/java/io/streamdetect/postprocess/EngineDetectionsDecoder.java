package io.streamdetect.postprocess;

import io.streamdetect.engine.EngineInfo;
import io.streamdetect.model.ModelMetadata;
import io.streamdetect.preprocess.Letterbox;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads detections that the engine already picked ({@link EngineInfo#returnsDetections()}), rows of x1, y1, x2,
 * y2 (input pixels), score, class:
 * <ul>
 *   <li>from an end-to-end head (YOLO26, YOLOv10): a fixed number of rows per image, best first, the tail of
 *       them low-scored filler; the confidence threshold picks the detections;</li>
 *   <li>from NMS built into a TensorRT plan: a count, then that many rows, the plan's thresholds applied.</li>
 * </ul>
 * No NMS here: the confidence threshold and the detection cap, then the mapping back through the letterbox.
 * Thread-safe: holds no scratch.
 */
public final class EngineDetectionsDecoder implements DetectionDecoder {
    private final int imageSize;
    private final int rows;
    private final boolean counted;
    private final ModelMetadata metadata;
    private final PostprocessConfig config;

    public EngineDetectionsDecoder(EngineInfo info, ModelMetadata metadata, PostprocessConfig config) {
        if (!info.returnsDetections()) {
            throw new IllegalArgumentException("the engine returns raw predictions, not detections: use YoloOutputDecoder");
        }
        this.imageSize = info.outputSize();
        this.counted = info.nmsInEngine();
        this.rows = counted ? info.nmsMaxDetections() : info.outputRows();
        this.metadata = metadata;
        this.config = config;
    }

    @Override
    public List<DetectedObject> decode(FloatBuffer output, int slot, Letterbox letterbox) {
        int at = slot * imageSize;
        int first = counted ? at + 1 : at;
        int available = counted ? Math.max(0, Math.min(rows, (int) output.get(at))) : rows;
        List<DetectedObject> objects = new ArrayList<>(Math.min(available, config.maxDetections()));
        for (int i = 0; i < available && objects.size() < config.maxDetections(); i++) {
            int row = first + i * EngineInfo.DETECTION_FIELDS;
            float score = output.get(row + 4);
            if (!(score > config.confidence())) { // as Ultralytics: strictly above; NaN never passes
                continue;
            }
            int cls = Math.round(output.get(row + 5));
            objects.add(new DetectedObject(cls, metadata.className(cls), score,
                    letterbox.toSourceX(output.get(row)), letterbox.toSourceY(output.get(row + 1)),
                    letterbox.toSourceX(output.get(row + 2)), letterbox.toSourceY(output.get(row + 3))));
        }
        return objects;
    }
}

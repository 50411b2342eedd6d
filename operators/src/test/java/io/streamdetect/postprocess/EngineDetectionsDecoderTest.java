package io.streamdetect.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.Precision;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.model.ModelMetadata;
import io.streamdetect.preprocess.Letterbox;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The layouts of engines that return detections: NMS built in (per image a count, then rows x1, y1, x2, y2,
 * score, class), and end-to-end heads (a fixed number of such rows, best first, no count).
 */
class EngineDetectionsDecoderTest {
    private static final int MAX = 3;
    private static final EngineInfo INFO = new EngineInfo(Backend.TENSORRT, Precision.FP16, 2, "images", 640, 640,
            "detections", EngineInfo.DETECTION_FIELDS, MAX, MAX);
    private static final ModelMetadata META = ModelMetadata.parse(
            Map.of("names", "{0: 'person', 1: 'bicycle', 2: 'car'}", "imgsz", "[640, 640]"), "test.onnx");

    @Test
    void readsOnlyTheCountedRowsOfItsSlotAndMapsThemThroughTheLetterbox() {
        assertThat(INFO.outputSize()).isEqualTo(1 + 6 * MAX);
        float[] out = new float[2 * INFO.outputSize()];
        int second = INFO.outputSize();
        out[second] = 2; // image 1: two detections, the third row is stale
        put(out, second + 1, 100, 180, 300, 380, 0.9f, 2);
        put(out, second + 7, 0, 80, 64, 560, 0.4f, 0);
        put(out, second + 13, 1, 1, 2, 2, 0.99f, 1);
        Letterbox box = Letterbox.of(1280, 960, 640, 640); // scale 0.5, 80 px bars top and bottom
        List<DetectedObject> found = new EngineDetectionsDecoder(INFO, META, PostprocessConfig.DEFAULT).decode(FloatBuffer.wrap(out), 1, box);
        assertThat(found).hasSize(2);
        assertThat(found.get(0).className()).isEqualTo("car");
        assertThat(found.get(0).score()).isEqualTo(0.9f);
        assertThat(found.get(0).x1()).isEqualTo(200f);
        assertThat(found.get(0).y1()).isEqualTo(200f);
        assertThat(found.get(0).x2()).isEqualTo(600f);
        assertThat(found.get(0).y2()).isEqualTo(600f);
        assertThat(found.get(1).className()).isEqualTo("person");
        assertThat(found.get(1).y2()).isEqualTo(960f);
        assertThat(new EngineDetectionsDecoder(INFO, META, PostprocessConfig.DEFAULT).decode(FloatBuffer.wrap(out), 0, box)).isEmpty();
    }

    @Test
    void rawEnginesGetTheHostDecoderAndCannotUseThisOne() {
        EngineInfo raw = new EngineInfo(Backend.ONNXRUNTIME, Precision.FP32, 1, "images", 640, 640, "output0", 84, 8400);
        assertThat(DetectionDecoder.of(raw, META, PostprocessConfig.DEFAULT)).isInstanceOf(YoloOutputDecoder.class);
        assertThat(DetectionDecoder.of(INFO, META, PostprocessConfig.DEFAULT)).isInstanceOf(EngineDetectionsDecoder.class);
        assertThatThrownBy(() -> new EngineDetectionsDecoder(raw, META, PostprocessConfig.DEFAULT)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void endToEndRowsAreFilteredByConfidenceCappedAndMappedWithoutNms() {
        EngineInfo e2e = new EngineInfo(Backend.ONNXRUNTIME, Precision.FP32, 1, true, "images", 640, 640, "output0",
                DetectionHead.END_TO_END, 4, EngineInfo.DETECTION_FIELDS, 0);
        assertThat(e2e.outputSize()).isEqualTo(4 * 6);
        assertThat(e2e.returnsDetections()).isTrue();
        assertThat(DetectionDecoder.of(e2e, META, PostprocessConfig.DEFAULT)).isInstanceOf(EngineDetectionsDecoder.class);
        float[] out = new float[e2e.outputSize()];
        put(out, 0, 100, 180, 300, 380, 0.9f, 2);
        put(out, 6, 110, 190, 310, 390, 0.8f, 2); // overlaps the first by far: an end-to-end head's call, no NMS here
        put(out, 12, 0, 80, 64, 560, 0.25f, 0); // at the threshold: dropped, as Ultralytics keeps only scores above it
        put(out, 18, 5, 5, 6, 6, 0.01f, 1); // filler
        Letterbox box = Letterbox.of(1280, 960, 640, 640);
        List<DetectedObject> found = new EngineDetectionsDecoder(e2e, META, PostprocessConfig.DEFAULT)
                .decode(FloatBuffer.wrap(out), 0, box);
        assertThat(found).extracting(DetectedObject::score).containsExactly(0.9f, 0.8f);
        assertThat(found.get(0).x1()).isEqualTo(200f);
        assertThat(found.get(0).y2()).isEqualTo(600f);
        assertThat(found.get(1).className()).isEqualTo("car");

        var lenient = new PostprocessConfig(0.001f, 0.7f, 1);
        assertThat(new EngineDetectionsDecoder(e2e, META, lenient).decode(FloatBuffer.wrap(out), 0, box))
                .as("max-detections caps").extracting(DetectedObject::score).containsExactly(0.9f);
        assertThatThrownBy(() -> new EngineInfo(Backend.ONNXRUNTIME, Precision.FP32, 1, false, "images", 640, 640,
                "output0", DetectionHead.END_TO_END, 84, 8400, 0)).hasMessageContaining("[detections, 6]");
    }

    private static void put(float[] out, int at, float x1, float y1, float x2, float y2, float score, int cls) {
        float[] row = {x1, y1, x2, y2, score, cls};
        System.arraycopy(row, 0, out, at, row.length);
    }
}

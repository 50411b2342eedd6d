package io.streamdetect.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.testing.SharedFiles;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The detection head and a fixed batch, read from the ONNX graph's shapes and Ultralytics' metadata. */
class DetectionHeadTest {
    private static final String COCO_NAMES;

    static {
        StringBuilder names = new StringBuilder("{");
        for (int i = 0; i < 80; i++) {
            names.append(i == 0 ? "" : ", ").append(i).append(": 'c").append(i).append('\'');
        }
        COCO_NAMES = names.append('}').toString();
    }

    @Test
    void theSharedModelsDeclareTheirHeadsAndBatches() {
        OnnxModelFile yolo11n = OnnxModelFile.read(SharedFiles.model());
        assertThat(yolo11n.head()).isEqualTo(DetectionHead.CLASSIC);
        assertThat(yolo11n.shapes().fixedBatch()).as("dynamic batch").isZero();
        assertThat(yolo11n.shapes().output()).containsExactly(-1, 84, 8400);

        OnnxModelFile yolo26n = OnnxModelFile.read(SharedFiles.exportedModel("yolo26n.onnx"));
        assertThat(yolo26n.metadata().endToEnd()).isTrue();
        assertThat(yolo26n.shapes().input()).containsExactly(1, 3, 640, 640);
        assertThat(yolo26n.shapes().output()).containsExactly(1, 300, 6);
        assertThat(yolo26n.head()).isEqualTo(DetectionHead.END_TO_END);
        assertThat(yolo26n.shapes().fixedBatch()).isEqualTo(1);

        OnnxModelFile yolov8n = OnnxModelFile.read(SharedFiles.exportedModel("yolov8n.onnx"));
        assertThat(yolov8n.head()).isEqualTo(DetectionHead.CLASSIC);
        assertThat(yolov8n.shapes().fixedBatch()).isEqualTo(1);
        assertThat(yolov8n.metadata().endToEnd()).as("older exports do not say").isNull();
    }

    @Test
    void metadataAndShapeDecideTogether() {
        assertThat(DetectionHead.of(new long[] {1, 300, 6}, meta(Map.of("end2end", "True")), "m.onnx"))
                .isEqualTo(DetectionHead.END_TO_END);
        assertThat(DetectionHead.of(new long[] {-1, 300, 6}, meta(Map.of()), "yolov10n.onnx"))
                .as("exports older than the end2end key, recognised by shape").isEqualTo(DetectionHead.END_TO_END);
        assertThat(DetectionHead.of(new long[] {-1, 84, 8400}, meta(Map.of("end2end", "False")), "m.onnx"))
                .isEqualTo(DetectionHead.CLASSIC);
        assertThatThrownBy(() -> DetectionHead.of(new long[] {1, 84, 8400}, meta(Map.of("end2end", "True")), "m.onnx"))
                .isInstanceOf(ModelException.class).hasMessageContaining("metadata says end2end")
                .hasMessageContaining("[batch, detections, 6]");
        assertThatThrownBy(() -> DetectionHead.of(new long[] {1, 300, 6}, meta(Map.of("end2end", "False")), "m.onnx"))
                .isInstanceOf(ModelException.class).hasMessageContaining("300 rows per anchor")
                .hasMessageContaining("end2end: True");
        assertThatThrownBy(() -> DetectionHead.of(new long[] {1, 3, 64, 64}, meta(Map.of()), "cls.onnx"))
                .isInstanceOf(ModelException.class).hasMessageContaining("cls.onnx");
        assertThat(DetectionHead.parse("end2end")).isEqualTo(DetectionHead.END_TO_END);
        assertThat(DetectionHead.END_TO_END.describe()).contains("no NMS");
    }

    private static ModelMetadata meta(Map<String, String> extra) {
        Map<String, String> raw = new HashMap<>(extra);
        raw.put("names", COCO_NAMES);
        return ModelMetadata.parse(raw, "m.onnx");
    }
}

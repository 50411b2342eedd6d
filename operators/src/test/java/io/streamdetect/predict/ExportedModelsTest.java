package io.streamdetect.predict;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.testing.ReferenceDetections;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Models as Ultralytics exports them by default (batch fixed at 1), on ONNX Runtime, asked for batches of 8:
 * YOLO26's end-to-end head decoded without NMS, YOLOv8's classic head, both against the references of
 * ../shared/models/README.md.
 */
class ExportedModelsTest {

    @Test
    void yolo26nEndToEndHeadFindsTheBusAndFourPersonsWithoutNms() {
        try (InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(SharedFiles.exportedModel("yolo26n.onnx"), 8));
             Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            assertThat(engine.info().head()).isEqualTo(DetectionHead.END_TO_END);
            assertThat(engine.info().outputRows()).isEqualTo(300);
            assertStaticBatchOfOne(engine, predictor);
            List<Prediction> results = predictor.predict(List.of(TestImages.bus(), TestImages.bus(), TestImages.bus()));
            for (Prediction p : results) {
                assertThat(p.ok()).isTrue();
                assertThat(p.batchSize()).isEqualTo(1);
                ReferenceDetections.assertMatchesScores(p.objects(), ReferenceDetections.YOLO26N_BUS);
                assertThat(p.objects()).allSatisfy(o -> assertThat(o.x2()).isBetween(o.x1(), 810f));
            }
            var bus = results.get(0).objects().stream().filter(o -> o.className().equals("bus")).findFirst().orElseThrow();
            // boxes come back through the letterbox in original pixels (810x1080): within 35 px of YOLO11n's bus
            // (15.1, 230.4, 801.4, 740.2), another model's box around the same bus
            assertThat(bus.x1()).isBetween(0f, 50f);
            assertThat(bus.y1()).isBetween(195f, 265f);
            assertThat(bus.x2()).isBetween(766f, 810f);
            assertThat(bus.y2()).isBetween(705f, 775f);
        }
    }

    @Test
    void endToEndDetectionsHonourTheConfidenceThresholdAndTheDetectionCap() {
        var config = PredictorConfig.DEFAULT.withPostprocess(new PostprocessConfig(0.5f, 0.7f, 2));
        try (InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(SharedFiles.exportedModel("yolo26n.onnx"), 1));
             Predictor predictor = new Predictor(engine, config)) {
            var objects = predictor.predict(List.of(TestImages.bus())).get(0).objects();
            assertThat(objects).extracting(o -> o.className()).containsExactly("bus", "person");
        }
    }

    @Test
    void yolov8nStaticBatchRunsImageByImageWithTheReferenceResults() {
        try (InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(SharedFiles.exportedModel("yolov8n.onnx"), 8));
             Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            assertThat(engine.info().head()).isEqualTo(DetectionHead.CLASSIC);
            assertStaticBatchOfOne(engine, predictor);
            List<Prediction> results = predictor.predict(List.of(TestImages.bus(), new byte[0], TestImages.bus()));
            ReferenceDetections.assertMatchesScores(results.get(0).objects(), ReferenceDetections.YOLOV8N_BUS);
            assertThat(results.get(1).ok()).isFalse();
            assertThat(results.get(1).error().imageAtFault()).isTrue();
            ReferenceDetections.assertMatchesScores(results.get(2).objects(), ReferenceDetections.YOLOV8N_BUS);
        }
    }

    private static void assertStaticBatchOfOne(InferenceEngine engine, Predictor predictor) {
        assertThat(engine.info().staticBatch()).isTrue();
        assertThat(engine.info().maxBatch()).as("capped to the model's fixed batch, not the 8 asked for").isEqualTo(1);
        assertThat(predictor.maxBatch()).isEqualTo(1);
        assertThat(engine.info().describe()).contains("batch fixed at 1");
    }
}

package io.streamdetect.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.Precision;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.testing.ReferenceDetections;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The exported models of ../shared/models on TensorRT FP16 (batch fixed at 1, as Ultralytics exports by
 * default): yolo26n's end-to-end head and yolov8n's classic head against the bus.jpg references. Tagged
 * {@code gpu}, skipped without a GPU. Each plan takes ~10 min to build on an H100/H200 the first time; with
 * {@code STREAMDETECT_ENGINE_CACHE} holding them (scripts/gpu/exported-models.sh builds them first, side by
 * side) the test takes seconds.
 */
@Tag("gpu")
class ExportedModelsGpuTest {

    @BeforeAll
    static void needsAGpu() {
        assumeTrue(TensorRt.available(), "no CUDA GPU with TensorRT natives here: TensorRT tests skipped");
    }

    @Test
    void yolo26nEndToEndHeadOnTensorRtFp16() {
        try (InferenceEngine engine = open("yolo26n.onnx", null);
             Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            assertThat(engine.info().head()).isEqualTo(DetectionHead.END_TO_END);
            assertThat(engine.info().outputRows()).isEqualTo(300);
            assertStaticBatchOfOne(engine, predictor);
            for (Prediction p : predictor.predict(List.of(TestImages.bus(), TestImages.bus()))) {
                ReferenceDetections.assertMatchesScores(p.objects(), ReferenceDetections.YOLO26N_BUS);
            }
        }
    }

    @Test
    void nmsInTheEngineIsLeftOutForAnEndToEndHead() {
        // the same plan as above (no NMS in its key): nothing to build
        try (InferenceEngine engine = open("yolo26n.onnx", PostprocessConfig.DEFAULT)) {
            assertThat(engine.info().nmsInEngine()).isFalse();
            assertThat(engine.info().head()).isEqualTo(DetectionHead.END_TO_END);
        }
    }

    @Test
    void yolov8nClassicHeadOnTensorRtFp16() {
        try (InferenceEngine engine = open("yolov8n.onnx", null);
             Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            assertThat(engine.info().head()).isEqualTo(DetectionHead.CLASSIC);
            assertStaticBatchOfOne(engine, predictor);
            for (Prediction p : predictor.predict(List.of(TestImages.bus(), TestImages.bus()))) {
                ReferenceDetections.assertMatchesScores(p.objects(), ReferenceDetections.YOLOV8N_BUS);
            }
        }
    }

    /** FP16, asked for batches of 8 as a user would be: the model's fixed batch of 1 wins. */
    private static InferenceEngine open(String model, PostprocessConfig engineNms) {
        EngineSpec spec = new EngineSpec(SharedFiles.exportedModel(model).toString(), Backend.TENSORRT, Precision.FP16,
                8, 0).withEngineNms(engineNms);
        return Engines.open(spec);
    }

    private static void assertStaticBatchOfOne(InferenceEngine engine, Predictor predictor) {
        assertThat(engine.info().backend()).isEqualTo(Backend.TENSORRT);
        assertThat(engine.info().staticBatch()).isTrue();
        assertThat(engine.info().maxBatch()).isEqualTo(1);
        assertThat(predictor.maxBatch()).isEqualTo(1);
    }
}

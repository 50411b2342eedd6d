package io.streamdetect.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.Precision;
import io.streamdetect.postprocess.NmsPlacement;
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
 * Issue 14 on a real GPU: {@code nms auto} (the default) opens yolo11n's TensorRT plan with EfficientNMS in it
 * (the plan {@code export} caches with default settings) and yolo26n's without, and the detections still match
 * the reference. Tagged {@code gpu}; skips where no GPU is visible.
 */
@Tag("gpu")
class NmsAutoGpuTest {
    private static final int MAX_BATCH = Integer.getInteger("streamdetect.test.maxBatch", 8);

    @BeforeAll
    static void needsAGpu() {
        assumeTrue(TensorRt.available(), "no CUDA GPU with TensorRT natives here: TensorRT tests skipped");
    }

    @Test
    void autoPutsNmsIntoTheClassicHeadsPlanAndNotIntoTheEndToEndOne() {
        EngineSpec classic = new EngineSpec(SharedFiles.model().toString(), Backend.TENSORRT, Precision.FP32, MAX_BATCH, 0)
                .withNms(NmsPlacement.AUTO, PostprocessConfig.DEFAULT);
        try (InferenceEngine engine = Engines.open(classic); Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            assertThat(engine.info().nmsInEngine()).as(engine.info().describe()).isTrue();
            for (Prediction p : predictor.predict(List.of(TestImages.bus(), TestImages.bus()))) {
                ReferenceDetections.assertMatches(p.objects(), ReferenceDetections.BUS);
            }
        }
        EngineSpec endToEnd = new EngineSpec(SharedFiles.exportedModel("yolo26n.onnx").toString(), Backend.TENSORRT,
                Precision.FP32, MAX_BATCH, 0).withNms(NmsPlacement.AUTO, PostprocessConfig.DEFAULT);
        try (InferenceEngine engine = Engines.open(endToEnd)) {
            assertThat(engine.info().nmsInEngine()).as(engine.info().describe()).isFalse();
        }
    }
}

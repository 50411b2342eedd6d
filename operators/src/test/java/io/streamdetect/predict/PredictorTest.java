package io.streamdetect.predict;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.records.ErrorKind;
import io.streamdetect.testing.ReferenceDetections;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.streamdetect.testing.OnnxRuntimeEngineExtension;

class PredictorTest {
    @RegisterExtension
    static final OnnxRuntimeEngineExtension ORT = new OnnxRuntimeEngineExtension(4);

    @Test
    void busMatchesTheReferenceDetections() {
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT)) {
            Prediction p = predictor.predict(List.of(TestImages.bus())).get(0);
            assertThat(p.ok()).isTrue();
            assertThat(p.width()).isEqualTo(810);
            assertThat(p.height()).isEqualTo(1080);
            ReferenceDetections.assertMatches(p.objects(), ReferenceDetections.BUS);
        }
    }

    @Test
    void batchesGiveTheSameResultAsSingleImagesAndBadImagesFailAlone() {
        byte[] bus = TestImages.bus();
        List<byte[]> mixed = List.of(bus, new byte[0], TestImages.truncated(bus, 0.5), bus,
                "hello".getBytes(), bus, bus, bus); // 8 images over batches of 4
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT)) {
            List<Prediction> results = predictor.predict(mixed);
            assertThat(results).hasSize(8);
            assertThat(results.get(1).error().kind()).isEqualTo(ErrorKind.EMPTY_IMAGE);
            assertThat(results.get(2).error().kind()).isEqualTo(ErrorKind.TRUNCATED_IMAGE);
            assertThat(results.get(4).error().kind()).isEqualTo(ErrorKind.UNSUPPORTED_FORMAT);
            for (int i : new int[] {0, 3, 5, 6, 7}) {
                ReferenceDetections.assertMatches(results.get(i).objects(), ReferenceDetections.BUS);
            }
            assertThat(results.get(0).batchSize()).isEqualTo(2);
            assertThat(results.get(5).batchSize()).isEqualTo(3);
        }
    }

    @Test
    void autoPreprocessingChoosesTheCpuForOnnxRuntimeAndSaysWhy() {
        var auto = PredictorConfig.DEFAULT.withPreprocessing(io.streamdetect.preprocess.Preprocessing.AUTO);
        try (Predictor predictor = new Predictor(ORT.engine(), auto)) {
            assertThat(predictor.preprocessing()).isEqualTo(io.streamdetect.preprocess.Preprocessing.CPU);
            assertThat(predictor.preprocessingChoice().describe())
                    .isEqualTo("cpu (auto: the onnxruntime engine takes its input in host memory)");
            // so a micro-batcher hands every image's decode to its decode threads, none to the GPU
            assertThat(predictor.decodesOnGpu(TestImages.bus())).isFalse();
            ReferenceDetections.assertMatches(predictor.predict(List.of(TestImages.bus())).get(0).objects(),
                    ReferenceDetections.BUS);
        }
    }

    @Test
    void confidenceThresholdFilters() {
        var strict = PredictorConfig.DEFAULT.withPostprocess(PostprocessConfig.DEFAULT.withConfidence(0.85f));
        try (Predictor predictor = new Predictor(ORT.engine(), strict)) {
            Prediction p = predictor.predict(List.of(TestImages.bus())).get(0);
            assertThat(p.objects()).extracting(o -> o.className()).containsExactlyInAnyOrder("person", "bus");
        }
    }

    @Test
    void blankImagesHaveNoDetectionsAndPngWorks() {
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT)) {
            List<Prediction> results = predictor.predict(List.of(TestImages.solid(300, 200, 30, 30, 30, ".png"),
                    TestImages.solid(17, 1, 200, 200, 200, ".jpg")));
            assertThat(results).allSatisfy(p -> {
                assertThat(p.ok()).isTrue();
                assertThat(p.objects()).isEmpty();
            });
            assertThat(results.get(1).width()).isEqualTo(17);
        }
    }
}

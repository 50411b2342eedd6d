package io.streamdetect.bench.postprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.model.ModelMetadata;
import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.postprocess.YoloOutputDecoder;
import io.streamdetect.preprocess.Letterbox;
import io.streamdetect.testing.SharedFiles;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reworked {@link YoloOutputDecoder} gives exactly the detections of the decoder before issue 14 (same order,
 * same floats, compared as records): on YOLO11n's real outputs for coco8, at several thresholds, and on synthetic
 * outputs built to hit the corner cases (tied scores, NaN scores, scores on the threshold).
 */
class YoloOutputDecoderEquivalenceTest {
    private static RealYoloOutputs real;

    private static RealYoloOutputs real() {
        if (real == null) {
            real = RealYoloOutputs.of(SharedFiles.model(), SharedFiles.coco8().resolve("images"));
        }
        return real;
    }

    @ParameterizedTest
    @ValueSource(floats = {0.25f, 0.001f, 0.0f, 0.5f})
    void sameDetectionsOnYolo11nOutputsForCoco8(float confidence) {
        RealYoloOutputs outputs = real();
        PostprocessConfig config = PostprocessConfig.DEFAULT.withConfidence(confidence);
        int rows = outputs.info().outputRows();
        int anchors = outputs.info().outputAnchors();
        var current = new YoloOutputDecoder(rows, anchors, outputs.metadata(), config);
        var baseline = new BaselineYoloOutputDecoder(rows, anchors, outputs.metadata(), config);
        int total = 0;
        for (int slot = 0; slot < outputs.images(); slot++) {
            Letterbox box = outputs.letterboxes().get(slot);
            List<DetectedObject> expected = baseline.decode(outputs.output(), slot, box);
            assertThat(current.decode(outputs.output(), slot, box)).as("image %d", slot).isEqualTo(expected);
            total += expected.size();
        }
        assertThat(outputs.images()).isEqualTo(8);
        assertThat(total).as("detections over coco8").isPositive();
    }

    @Test
    void sameDetectionsOnTiedNanAndThresholdScores() {
        int classes = 5;
        int rows = 4 + classes;
        int anchors = 257;
        int images = 3;
        ModelMetadata meta = new ModelMetadata(IntStream.range(0, classes).mapToObj(c -> "c" + c).toList(), 64, 64, 32,
                "detect", Map.of());
        Random random = new Random(14);
        float[] out = new float[images * rows * anchors];
        float[] levels = {0f, -0f, 0.25f, 0.5f, 0.9f, Float.NaN, 0.3f};
        for (int i = 0; i < images; i++) {
            int base = i * rows * anchors;
            for (int a = 0; a < anchors; a++) {
                out[base + a] = random.nextInt(64);
                out[base + anchors + a] = random.nextInt(64);
                out[base + 2 * anchors + a] = 1 + random.nextInt(20);
                out[base + 3 * anchors + a] = 1 + random.nextInt(20);
                for (int c = 0; c < classes; c++) {
                    out[base + (4 + c) * anchors + a] = random.nextInt(3) == 0 ? levels[random.nextInt(levels.length)]
                            : random.nextFloat();
                }
            }
        }
        for (PostprocessConfig config : List.of(PostprocessConfig.DEFAULT, new PostprocessConfig(0f, 0.5f, 7),
                new PostprocessConfig(0.5f, 0.3f, 300))) {
            var current = new YoloOutputDecoder(rows, anchors, meta, config);
            var baseline = new BaselineYoloOutputDecoder(rows, anchors, meta, config);
            for (int slot = 0; slot < images; slot++) {
                Letterbox box = Letterbox.of(100, 80, 64, 64);
                List<DetectedObject> expected = baseline.decode(FloatBuffer.wrap(out), slot, box);
                assertThat(expected).isNotEmpty();
                assertThat(current.decode(FloatBuffer.wrap(out), slot, box)).as("%s, image %d", config, slot)
                        .isEqualTo(expected);
            }
        }
    }
}

package io.streamdetect.postprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.model.ModelMetadata;
import io.streamdetect.preprocess.Letterbox;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YoloOutputDecoderTest {
    private static final int CLASSES = 3;
    private static final int ROWS = 4 + CLASSES;
    private static final int ANCHORS = 10;
    private static final ModelMetadata META = new ModelMetadata(List.of("cat", "dog", "car"), 640, 640, 32,
            "detect", Map.of());

    /** Sets anchor {@code a} of image {@code slot} to a box and one class score. */
    private static void put(float[] out, int slot, int a, float cx, float cy, float w, float h, int cls, float score) {
        int base = slot * ROWS * ANCHORS;
        out[base + a] = cx;
        out[base + ANCHORS + a] = cy;
        out[base + 2 * ANCHORS + a] = w;
        out[base + 3 * ANCHORS + a] = h;
        out[base + (4 + cls) * ANCHORS + a] = score;
    }

    @Test
    void decodesFiltersSuppressesAndMapsBack() {
        float[] out = new float[2 * ROWS * ANCHORS];
        put(out, 1, 0, 320, 320, 100, 100, 0, 0.9f);   // cat
        put(out, 1, 1, 322, 322, 100, 100, 0, 0.8f);   // same cat, overlapping: suppressed
        put(out, 1, 2, 322, 322, 100, 100, 1, 0.7f);   // dog at the same place: other class, kept
        put(out, 1, 3, 100, 100, 20, 20, 2, 0.2f);     // below confidence
        put(out, 1, 4, 600, 100, 40, 40, 2, 0.5f);     // car
        put(out, 0, 5, 50, 50, 10, 10, 2, 0.99f);      // belongs to the other image
        Letterbox box = Letterbox.of(1280, 640, 640, 640); // scale 0.5, 160 px padding top
        var decoder = new YoloOutputDecoder(ROWS, ANCHORS, META, PostprocessConfig.DEFAULT);

        List<DetectedObject> found = decoder.decode(FloatBuffer.wrap(out), 1, box);

        assertThat(found).extracting(DetectedObject::className).containsExactly("cat", "dog", "car");
        DetectedObject cat = found.get(0);
        assertThat(cat.score()).isEqualTo(0.9f);
        // x: (270 - 0) / 0.5 = 540; y: (270 - 160) / 0.5 = 220
        assertThat(cat.x1()).isEqualTo(540f);
        assertThat(cat.y1()).isEqualTo(220f);
        assertThat(cat.x2()).isEqualTo(740f);
        assertThat(cat.y2()).isEqualTo(420f);
    }

    @Test
    void keepsAtMostMaxDetectionsHighestFirst() {
        float[] out = new float[ROWS * ANCHORS];
        for (int a = 0; a < ANCHORS; a++) {
            put(out, 0, a, 30 + 60 * a, 30, 20, 20, 0, 0.3f + a * 0.05f); // disjoint boxes
        }
        var decoder = new YoloOutputDecoder(ROWS, ANCHORS, META, new PostprocessConfig(0.25f, 0.7f, 3));
        List<DetectedObject> found = decoder.decode(FloatBuffer.wrap(out), 0, Letterbox.of(640, 640, 640, 640));
        assertThat(found).extracting(DetectedObject::score).containsExactly(0.3f + 9 * 0.05f, 0.3f + 8 * 0.05f, 0.3f + 7 * 0.05f);
    }

    @Test
    void emptyOutputGivesNoDetections() {
        var decoder = new YoloOutputDecoder(ROWS, ANCHORS, META, PostprocessConfig.DEFAULT);
        assertThat(decoder.decode(FloatBuffer.allocate(ROWS * ANCHORS), 0, Letterbox.of(64, 64, 640, 640))).isEmpty();
    }

    @Test
    void nmsIsClassWiseAndUsesStrictIouThreshold() {
        float[] boxes = {0, 0, 10, 10, 0, 0, 10, 10, 0, 5, 10, 15, 100, 100, 110, 110};
        float[] scores = {0.9f, 0.8f, 0.7f, 0.6f};
        int[] classes = {0, 1, 0, 0};
        // box 2 overlaps box 0 with IoU 50/150 = 1/3
        assertThat(Nms.iou(boxes, 0, 2)).isEqualTo(1f / 3f);
        assertThat(Nms.classWise(boxes, scores, classes, 4, 0.3f, 10)).containsExactly(0, 1, 3);
        assertThat(Nms.classWise(boxes, scores, classes, 4, 0.5f, 10)).containsExactly(0, 1, 2, 3);
        assertThat(Nms.classWise(boxes, scores, classes, 4, 0.5f, 2)).containsExactly(0, 1);
        assertThat(Nms.classWise(boxes, scores, classes, 0, 0.5f, 2)).isEmpty();
    }
}

package io.streamdetect.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.postprocess.DetectedObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference detections on bus.jpg from ../shared/models/README.md (Ultralytics' recipe, ONNX Runtime
 * FP32), and the tolerance every backend must meet: same classes and count, scores within 0.02, boxes within
 * 4 px.
 */
public final class ReferenceDetections {
    public static final float SCORE_TOLERANCE = 0.02f;
    public static final float BOX_TOLERANCE = 4f;

    public static final List<DetectedObject> BUS = List.of(
            new DetectedObject(0, "person", 0.903f, 46.8f, 398.1f, 243.5f, 903.1f),
            new DetectedObject(5, "bus", 0.898f, 15.1f, 230.4f, 801.4f, 740.2f),
            new DetectedObject(0, "person", 0.829f, 671.3f, 393.1f, 809.9f, 881.2f),
            new DetectedObject(0, "person", 0.827f, 219.9f, 404.8f, 345.4f, 860.1f),
            new DetectedObject(0, "person", 0.571f, 0.1f, 551.6f, 68.7f, 871.9f));

    /**
     * The exported models' references on bus.jpg from ../shared/models/README.md (an independent ONNX Runtime
     * run with its own resize, so only classes and scores are given): same classes and count, scores within
     * {@link #EXPORT_SCORE_TOLERANCE}.
     */
    public static final float EXPORT_SCORE_TOLERANCE = 0.04f;

    /** yolo26n.onnx (end-to-end head, no NMS): a bus and 4 persons. */
    public static final List<ClassScore> YOLO26N_BUS = List.of(new ClassScore("bus", 0.934f),
            new ClassScore("person", 0.915f), new ClassScore("person", 0.885f), new ClassScore("person", 0.826f),
            new ClassScore("person", 0.398f));

    /** yolov8n.onnx (classic head, static batch 1): 4 persons and a bus. */
    public static final List<ClassScore> YOLOV8N_BUS = List.of(new ClassScore("person", 0.914f),
            new ClassScore("person", 0.897f), new ClassScore("person", 0.895f), new ClassScore("bus", 0.824f),
            new ClassScore("person", 0.375f));

    /** A reference detection without a box. */
    public record ClassScore(String className, float score) {}

    private ReferenceDetections() {}

    /** Asserts {@code actual} matches {@code expected} one to one by class and score (±0.04), in any order. */
    public static void assertMatchesScores(List<DetectedObject> actual, List<ClassScore> expected) {
        assertThat(actual).as("detections %s", actual).hasSameSizeAs(expected);
        List<DetectedObject> unmatched = new ArrayList<>(actual);
        for (ClassScore want : expected) {
            DetectedObject match = unmatched.stream().filter(got -> got.className().equals(want.className())
                    && Math.abs(got.score() - want.score()) <= EXPORT_SCORE_TOLERANCE).findFirst().orElse(null);
            assertThat(match).as("a detection matching %s among %s", want, unmatched).isNotNull();
            unmatched.remove(match);
        }
    }

    /** Asserts {@code actual} matches {@code expected} one to one, in any order, within the tolerances. */
    public static void assertMatches(List<DetectedObject> actual, List<DetectedObject> expected) {
        assertThat(actual).as("detections %s", actual).hasSameSizeAs(expected);
        List<DetectedObject> unmatched = new ArrayList<>(actual);
        for (DetectedObject want : expected) {
            DetectedObject match = unmatched.stream().filter(got -> close(got, want)).findFirst().orElse(null);
            assertThat(match).as("a detection matching %s among %s", want, unmatched).isNotNull();
            unmatched.remove(match);
        }
    }

    private static boolean close(DetectedObject a, DetectedObject b) {
        return a.className().equals(b.className()) && Math.abs(a.score() - b.score()) <= SCORE_TOLERANCE
                && Math.abs(a.x1() - b.x1()) <= BOX_TOLERANCE && Math.abs(a.y1() - b.y1()) <= BOX_TOLERANCE
                && Math.abs(a.x2() - b.x2()) <= BOX_TOLERANCE && Math.abs(a.y2() - b.y2()) <= BOX_TOLERANCE;
    }
}

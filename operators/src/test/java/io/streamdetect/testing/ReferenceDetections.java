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

    private ReferenceDetections() {}

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

package io.streamdetect.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamdetect.postprocess.DetectedObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed cases for the COCO-style metrics. */
class MeanAveragePrecisionTest {

    private static GroundTruth truth(int cls, float x1, float y1, float x2, float y2) {
        return new GroundTruth(cls, x1, y1, x2, y2);
    }

    private static DetectedObject pred(int cls, float score, float x1, float y1, float x2, float y2) {
        return new DetectedObject(cls, "c" + cls, score, x1, y1, x2, y2);
    }

    @Test
    void perfectPredictionsScoreOne() {
        MeanAveragePrecision m = new MeanAveragePrecision(0.25f);
        m.add(List.of(pred(0, 0.9f, 0, 0, 10, 10), pred(1, 0.8f, 20, 20, 40, 40)),
                List.of(truth(0, 0, 0, 10, 10), truth(1, 20, 20, 40, 40)));
        var r = m.result();
        assertThat(r.map50()).isEqualTo(1.0);
        assertThat(r.map50to95()).isEqualTo(1.0);
        assertThat(r.precision()).isEqualTo(1.0);
        assertThat(r.recall()).isEqualTo(1.0);
        assertThat(r.instances()).isEqualTo(2);
    }

    @Test
    void aShiftedBoxCountsOnlyAtThresholdsBelowItsIou() {
        // truth 0..10 x 0..10; prediction shifted 2.5 px right: intersection 75, union 125, IoU 0.6
        MeanAveragePrecision m = new MeanAveragePrecision(0.25f);
        m.add(List.of(pred(0, 0.9f, 2.5f, 0, 12.5f, 10)), List.of(truth(0, 0, 0, 10, 10)));
        var c = m.result().classes().get(0);
        assertThat(MeanAveragePrecision.iou(pred(0, 1, 2.5f, 0, 12.5f, 10), truth(0, 0, 0, 10, 10))).isCloseTo(0.6, within(1e-9));
        assertThat(c.ap()).containsExactly(1, 1, 1, 0, 0, 0, 0, 0, 0, 0); // 0.50, 0.55, 0.60 pass
        assertThat(c.ap50to95()).isCloseTo(0.3, within(1e-9));
    }

    @Test
    void aDuplicateIsAFalsePositiveAndRankedFirstItHalvesAp() {
        MeanAveragePrecision lowDuplicate = new MeanAveragePrecision(0.25f);
        lowDuplicate.add(List.of(pred(0, 0.9f, 0, 0, 10, 10), pred(0, 0.5f, 0, 0, 10, 10)), List.of(truth(0, 0, 0, 10, 10)));
        assertThat(lowDuplicate.result().map50()).as("a lower-ranked duplicate does not lower AP").isEqualTo(1.0);
        assertThat(lowDuplicate.result().precision()).isEqualTo(0.5);

        MeanAveragePrecision falseFirst = new MeanAveragePrecision(0.25f);
        falseFirst.add(List.of(pred(0, 0.9f, 50, 50, 60, 60), pred(0, 0.5f, 0, 0, 10, 10)), List.of(truth(0, 0, 0, 10, 10)));
        assertThat(falseFirst.result().map50()).as("precision 1/2 at every recall").isCloseTo(0.5, within(1e-9));
    }

    @Test
    void missedAndExtraDetections() {
        MeanAveragePrecision m = new MeanAveragePrecision(0.25f);
        // two truths, one found: recall 0.5, so 51 of the 101 recall points have precision 1
        m.add(List.of(pred(0, 0.9f, 0, 0, 10, 10), pred(3, 0.8f, 0, 0, 10, 10)),
                List.of(truth(0, 0, 0, 10, 10), truth(0, 30, 30, 40, 40)));
        var r = m.result();
        assertThat(r.classes()).as("class 3 has no ground truth: not in mAP").hasSize(1);
        assertThat(r.map50()).isCloseTo(51.0 / 101.0, within(1e-9));
        assertThat(r.recall()).isEqualTo(0.5);
        assertThat(r.precision()).as("the class-3 box is a false positive").isEqualTo(0.5);
    }

    @Test
    void emptyImagesAndLowConfidenceBoxes() {
        MeanAveragePrecision m = new MeanAveragePrecision(0.25f);
        m.add(List.of(), List.of());
        m.add(List.of(pred(0, 0.1f, 0, 0, 10, 10)), List.of(truth(0, 0, 0, 10, 10)));
        var r = m.result();
        assertThat(r.images()).isEqualTo(2);
        assertThat(r.map50()).as("AP counts every score").isEqualTo(1.0);
        assertThat(r.recall()).as("recall counts only boxes at the confidence threshold").isZero();
        assertThat(new MeanAveragePrecision(0.25f).result().map50()).isZero();
    }
}

package io.streamdetect.eval;

import io.streamdetect.postprocess.DetectedObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * COCO-style detection metrics, accumulated image by image: at each IoU threshold 0.50:0.05:0.95 every
 * prediction (highest score first) is matched to the unmatched ground truth of its class with the highest
 * IoU at or above the threshold; AP per class is the 101-point interpolated area under the precision-recall
 * curve; mAP is averaged over the classes that have ground truth. Precision and recall are also reported at
 * one confidence threshold (IoU 0.5), counted over all classes.
 */
public final class MeanAveragePrecision {
    public static final int THRESHOLDS = 10;
    private static final int POINTS = 101;

    private final Map<Integer, List<Scored>> predictionsByClass = new TreeMap<>();
    private final Map<Integer, Integer> truthsByClass = new TreeMap<>();
    private final float confidence;
    private int tpAtConf;
    private int predictionsAtConf;
    private int images;

    /** @param confidence the threshold for the precision and recall columns (Ultralytics predicts at 0.25) */
    public MeanAveragePrecision(float confidence) {
        this.confidence = confidence;
    }

    private record Scored(float score, boolean[] tp) {}

    /** Per-class result: instances = ground-truth objects, ap[t] at threshold 0.50 + 0.05 t. */
    public record ClassResult(int classId, int instances, int predictions, double[] ap) {
        public double ap50() {
            return ap[0];
        }

        public double ap50to95() {
            double sum = 0;
            for (double a : ap) {
                sum += a;
            }
            return sum / ap.length;
        }
    }

    /** Overall result: mAP over classes with ground truth, and precision/recall at the confidence threshold. */
    public record Result(List<ClassResult> classes, double map50, double map50to95, double precision, double recall,
                         int images, int instances) {}

    public static double threshold(int t) {
        return 0.5 + 0.05 * t;
    }

    public void add(List<DetectedObject> predictions, List<GroundTruth> truths) {
        images++;
        for (GroundTruth g : truths) {
            truthsByClass.merge(g.classId(), 1, Integer::sum);
        }
        List<DetectedObject> sorted = new ArrayList<>(predictions);
        sorted.sort(Comparator.comparingDouble(DetectedObject::score).reversed());
        boolean[][] matched = new boolean[THRESHOLDS][truths.size()];
        for (DetectedObject p : sorted) {
            boolean[] tp = new boolean[THRESHOLDS];
            for (int t = 0; t < THRESHOLDS; t++) {
                int best = -1;
                double bestIou = threshold(t) - 1e-9;
                for (int g = 0; g < truths.size(); g++) {
                    GroundTruth truth = truths.get(g);
                    if (matched[t][g] || truth.classId() != p.classId()) {
                        continue;
                    }
                    double iou = iou(p, truth);
                    if (iou >= bestIou) {
                        bestIou = iou;
                        best = g;
                    }
                }
                if (best >= 0) {
                    matched[t][best] = true;
                    tp[t] = true;
                }
            }
            predictionsByClass.computeIfAbsent(p.classId(), c -> new ArrayList<>()).add(new Scored(p.score(), tp));
            if (p.score() >= confidence) {
                predictionsAtConf++;
                tpAtConf += tp[0] ? 1 : 0;
            }
        }
    }

    public Result result() {
        List<ClassResult> classes = new ArrayList<>();
        int instances = 0;
        for (var e : truthsByClass.entrySet()) {
            List<Scored> preds = predictionsByClass.getOrDefault(e.getKey(), List.of());
            preds = new ArrayList<>(preds);
            preds.sort(Comparator.comparingDouble(Scored::score).reversed());
            double[] ap = new double[THRESHOLDS];
            for (int t = 0; t < THRESHOLDS; t++) {
                ap[t] = averagePrecision(preds, t, e.getValue());
            }
            classes.add(new ClassResult(e.getKey(), e.getValue(), preds.size(), ap));
            instances += e.getValue();
        }
        double map50 = classes.stream().mapToDouble(ClassResult::ap50).average().orElse(0);
        double map = classes.stream().mapToDouble(ClassResult::ap50to95).average().orElse(0);
        double precision = predictionsAtConf == 0 ? 0 : (double) tpAtConf / predictionsAtConf;
        double recall = instances == 0 ? 0 : (double) tpAtConf / instances;
        return new Result(classes, map50, map, precision, recall, images, instances);
    }

    /** 101-point interpolated AP: mean over recall r in 0, 0.01 .. 1 of the best precision at recall >= r. */
    static double averagePrecision(List<Scored> sortedPredictions, int t, int truths) {
        int n = sortedPredictions.size();
        double[] precision = new double[n];
        double[] recall = new double[n];
        int tp = 0;
        for (int i = 0; i < n; i++) {
            tp += sortedPredictions.get(i).tp()[t] ? 1 : 0;
            precision[i] = (double) tp / (i + 1);
            recall[i] = (double) tp / truths;
        }
        for (int i = n - 2; i >= 0; i--) {
            precision[i] = Math.max(precision[i], precision[i + 1]);
        }
        double sum = 0;
        int i = 0;
        for (int k = 0; k < POINTS; k++) {
            double r = k / (double) (POINTS - 1);
            while (i < n && recall[i] < r - 1e-12) {
                i++;
            }
            sum += i < n ? precision[i] : 0;
        }
        return sum / POINTS;
    }

    static double iou(DetectedObject p, GroundTruth g) {
        double ix = Math.max(0, Math.min(p.x2(), g.x2()) - Math.max(p.x1(), g.x1()));
        double iy = Math.max(0, Math.min(p.y2(), g.y2()) - Math.max(p.y1(), g.y1()));
        double inter = ix * iy;
        double union = (p.x2() - p.x1()) * (p.y2() - p.y1()) + (g.x2() - g.x1()) * (g.y2() - g.y1()) - inter;
        return union <= 0 ? 0 : inter / union;
    }
}

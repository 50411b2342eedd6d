package io.streamdetect.postprocess;

import java.util.Arrays;

/**
 * Greedy class-wise non-maximum suppression, as {@code torchvision.ops.nms} over class-offset boxes (what
 * Ultralytics does): boxes of different classes never suppress each other.
 */
public final class Nms {
    private Nms() {}

    /**
     * @param boxes    x1, y1, x2, y2 per candidate (4 × count floats)
     * @param scores   score per candidate
     * @param classes  class id per candidate
     * @param count    candidates to consider
     * @param iou      a box overlapping a kept box of its class by more than this is dropped
     * @param maxKeep  most boxes kept
     * @return indices of the kept candidates, highest score first
     */
    public static int[] classWise(float[] boxes, float[] scores, int[] classes, int count, float iou, int maxKeep) {
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        int[] kept = new int[Math.min(count, maxKeep)];
        int keptCount = 0;
        for (int c = 0; c < count && keptCount < kept.length; c++) {
            int i = order[c];
            boolean suppressed = false;
            for (int k = 0; k < keptCount && !suppressed; k++) {
                int j = kept[k];
                suppressed = classes[i] == classes[j] && iou(boxes, i, j) > iou;
            }
            if (!suppressed) {
                kept[keptCount++] = i;
            }
        }
        return Arrays.copyOf(kept, keptCount);
    }

    /** Intersection over union of boxes {@code i} and {@code j}. */
    public static float iou(float[] boxes, int i, int j) {
        float ix1 = Math.max(boxes[4 * i], boxes[4 * j]);
        float iy1 = Math.max(boxes[4 * i + 1], boxes[4 * j + 1]);
        float ix2 = Math.min(boxes[4 * i + 2], boxes[4 * j + 2]);
        float iy2 = Math.min(boxes[4 * i + 3], boxes[4 * j + 3]);
        float inter = Math.max(0f, ix2 - ix1) * Math.max(0f, iy2 - iy1);
        float union = area(boxes, i) + area(boxes, j) - inter;
        return union <= 0 ? 0f : inter / union;
    }

    private static float area(float[] boxes, int i) {
        return Math.max(0f, boxes[4 * i + 2] - boxes[4 * i]) * Math.max(0f, boxes[4 * i + 3] - boxes[4 * i + 1]);
    }
}

package io.streamdetect.postprocess;

import io.streamdetect.model.ModelMetadata;
import io.streamdetect.preprocess.Letterbox;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns YOLO11's raw output, {@code [batch, 4 + classes, anchors]} with rows cx, cy, w, h (input pixels) then
 * one sigmoid score per class, into detections: best class per anchor, confidence filter, class-wise NMS,
 * boxes mapped back through the letterbox and clipped.
 *
 * <p>The output is class-major (one row of 8,400 anchors per class), so the scan runs along rows: a first pass
 * takes each anchor's highest score over the class rows, one contiguous row at a time (a loop the JIT
 * vectorises); only the few anchors whose highest score passes the threshold are then read across rows, for
 * their class and box. The result is the same as taking, per anchor, the first class with the strictly highest
 * score: the second pass does exactly that for every anchor that could pass.
 *
 * <p>Thread-safe: the scratch arrays are per thread, so several threads may decode slots of one output at once
 * (MicroBatcher does, on its decode pool).
 */
public final class YoloOutputDecoder implements DetectionDecoder {
    private final int rows;
    private final int anchors;
    private final ModelMetadata metadata;
    private final PostprocessConfig config;
    private final ThreadLocal<Scratch> scratch;

    public YoloOutputDecoder(int rows, int anchors, ModelMetadata metadata, PostprocessConfig config) {
        if (rows < 5 || anchors < 1) {
            throw new IllegalArgumentException("not a YOLO output: " + rows + " rows x " + anchors + " anchors");
        }
        this.rows = rows;
        this.anchors = anchors;
        this.metadata = metadata;
        this.config = config;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(anchors));
    }

    public PostprocessConfig config() {
        return config;
    }

    @Override
    public List<DetectedObject> decode(FloatBuffer output, int slot, Letterbox letterbox) {
        int image = slot * rows * anchors;
        Scratch s = scratch.get();
        float[] highest = highestScores(output, image, s);
        int n = 0;
        for (int a = 0; a < anchors; a++) {
            // a NaN maximum hides the other scores: such an anchor gets the exact look below too
            if (highest[a] > config.confidence() || highest[a] != highest[a]) {
                s.picked[n++] = a;
            }
        }
        float[] scores = new float[n];
        int[] classes = new int[n];
        int kept = 0;
        for (int k = 0; k < n; k++) {
            int a = s.picked[k];
            float best = -1f;
            int bestClass = 0;
            for (int c = 0, at = image + 4 * anchors + a; c < rows - 4; c++, at += anchors) {
                float score = output.get(at);
                if (score > best) { // the first class with the highest score; NaN never wins
                    best = score;
                    bestClass = c;
                }
            }
            if (best > config.confidence()) {
                s.picked[kept] = a;
                scores[kept] = best;
                classes[kept] = bestClass;
                kept++;
            }
        }
        int[] order = topCandidates(scores, kept);
        int count = order.length;
        float[] boxes = new float[4 * count];
        float[] candidateScores = new float[count];
        int[] candidateClasses = new int[count];
        for (int k = 0; k < count; k++) {
            int a = s.picked[order[k]];
            float cx = output.get(image + a);
            float cy = output.get(image + anchors + a);
            float w = output.get(image + 2 * anchors + a);
            float h = output.get(image + 3 * anchors + a);
            boxes[4 * k] = cx - w / 2;
            boxes[4 * k + 1] = cy - h / 2;
            boxes[4 * k + 2] = cx + w / 2;
            boxes[4 * k + 3] = cy + h / 2;
            candidateScores[k] = scores[order[k]];
            candidateClasses[k] = classes[order[k]];
        }
        int[] survivors = Nms.classWise(boxes, candidateScores, candidateClasses, count, config.iou(),
                config.maxDetections());
        List<DetectedObject> objects = new ArrayList<>(survivors.length);
        for (int k : survivors) {
            objects.add(new DetectedObject(candidateClasses[k], metadata.className(candidateClasses[k]),
                    candidateScores[k], letterbox.toSourceX(boxes[4 * k]), letterbox.toSourceY(boxes[4 * k + 1]),
                    letterbox.toSourceX(boxes[4 * k + 2]), letterbox.toSourceY(boxes[4 * k + 3])));
        }
        return objects;
    }

    /** Per anchor, the highest class score (NaN if any is NaN), reading one contiguous class row at a time. */
    private float[] highestScores(FloatBuffer output, int image, Scratch s) {
        float[] highest = s.highest;
        float[] row = s.row;
        output.get(image + 4 * anchors, highest);
        for (int c = 1; c < rows - 4; c++) {
            output.get(image + (4 + c) * anchors, row);
            for (int a = 0; a < anchors; a++) {
                highest[a] = Math.max(highest[a], row[a]);
            }
        }
        return highest;
    }

    /**
     * The candidates entering NMS, in anchor order; the top {@code max_nms} by score (stable for equal scores)
     * if there are more.
     */
    private static int[] topCandidates(float[] scores, int n) {
        if (n <= PostprocessConfig.MAX_NMS_CANDIDATES) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        return java.util.stream.IntStream.range(0, n).boxed()
                .sorted((x, y) -> Float.compare(scores[y], scores[x]))
                .limit(PostprocessConfig.MAX_NMS_CANDIDATES).mapToInt(Integer::intValue).toArray();
    }

    /** One thread's scratch, sized for one image. */
    private static final class Scratch {
        final float[] highest;
        final float[] row;
        final int[] picked;

        Scratch(int anchors) {
            this.highest = new float[anchors];
            this.row = new float[anchors];
            this.picked = new int[anchors];
        }
    }
}

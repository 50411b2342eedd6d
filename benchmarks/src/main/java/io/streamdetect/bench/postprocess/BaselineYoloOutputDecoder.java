package io.streamdetect.bench.postprocess;

import io.streamdetect.model.ModelMetadata;
import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.postprocess.DetectionDecoder;
import io.streamdetect.postprocess.Nms;
import io.streamdetect.postprocess.PostprocessConfig;
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
 * <p>Not thread-safe: reuses scratch arrays sized for one image. One per thread.
 *
 * <p>The baseline: {@code io.streamdetect.postprocess.YoloOutputDecoder} as it was at commit 38a6008, before
 * issue 14 (copies the whole image output, then tracks the best class of every anchor). Kept only here, for
 * {@link YoloDecodeBenchmark} and for the test that the current decoder gives the very same detections.
 */
public final class BaselineYoloOutputDecoder implements DetectionDecoder {
    private final int rows;
    private final int anchors;
    private final ModelMetadata metadata;
    private final PostprocessConfig config;
    private final float[] image;
    private final float[] bestScore;
    private final int[] bestClass;

    public BaselineYoloOutputDecoder(int rows, int anchors, ModelMetadata metadata, PostprocessConfig config) {
        if (rows < 5 || anchors < 1) {
            throw new IllegalArgumentException("not a YOLO output: " + rows + " rows x " + anchors + " anchors");
        }
        this.rows = rows;
        this.anchors = anchors;
        this.metadata = metadata;
        this.config = config;
        this.image = new float[rows * anchors];
        this.bestScore = new float[anchors];
        this.bestClass = new int[anchors];
    }

    public PostprocessConfig config() {
        return config;
    }

    @Override
    public List<DetectedObject> decode(FloatBuffer output, int slot, Letterbox letterbox) {
        output.get(slot * image.length, image);
        Arrays.fill(bestScore, -1f);
        for (int c = 0; c < rows - 4; c++) {
            int base = (4 + c) * anchors;
            for (int a = 0; a < anchors; a++) {
                float s = image[base + a];
                if (s > bestScore[a]) {
                    bestScore[a] = s;
                    bestClass[a] = c;
                }
            }
        }
        int[] candidates = candidates();
        int n = candidates.length;
        float[] boxes = new float[4 * n];
        float[] scores = new float[n];
        int[] classes = new int[n];
        for (int k = 0; k < n; k++) {
            int a = candidates[k];
            float cx = image[a];
            float cy = image[anchors + a];
            float w = image[2 * anchors + a];
            float h = image[3 * anchors + a];
            boxes[4 * k] = cx - w / 2;
            boxes[4 * k + 1] = cy - h / 2;
            boxes[4 * k + 2] = cx + w / 2;
            boxes[4 * k + 3] = cy + h / 2;
            scores[k] = bestScore[a];
            classes[k] = bestClass[a];
        }
        int[] kept = Nms.classWise(boxes, scores, classes, n, config.iou(), config.maxDetections());
        List<DetectedObject> objects = new ArrayList<>(kept.length);
        for (int k : kept) {
            objects.add(new DetectedObject(classes[k], metadata.className(classes[k]), scores[k],
                    letterbox.toSourceX(boxes[4 * k]), letterbox.toSourceY(boxes[4 * k + 1]),
                    letterbox.toSourceX(boxes[4 * k + 2]), letterbox.toSourceY(boxes[4 * k + 3])));
        }
        return objects;
    }

    /** Anchors whose best score passes the threshold; the top {@code max_nms} by score if there are more. */
    private int[] candidates() {
        int[] picked = new int[anchors];
        int n = 0;
        for (int a = 0; a < anchors; a++) {
            if (bestScore[a] > config.confidence()) {
                picked[n++] = a;
            }
        }
        if (n <= PostprocessConfig.MAX_NMS_CANDIDATES) {
            return Arrays.copyOf(picked, n);
        }
        return Arrays.stream(picked, 0, n).boxed()
                .sorted((x, y) -> Float.compare(bestScore[y], bestScore[x]))
                .limit(PostprocessConfig.MAX_NMS_CANDIDATES).mapToInt(Integer::intValue).toArray();
    }
}

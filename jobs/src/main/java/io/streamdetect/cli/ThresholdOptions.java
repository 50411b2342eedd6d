package io.streamdetect.cli;

import io.streamdetect.postprocess.PostprocessConfig;
import picocli.CommandLine.Option;

/** Detection thresholds, with Ultralytics' defaults: applied on the host, or compiled into a plan with NMS. */
public final class ThresholdOptions {
    @Option(names = "--conf", defaultValue = "0.25", paramLabel = "C",
            description = "Minimum confidence (default: ${DEFAULT-VALUE}).")
    float confidence;

    @Option(names = "--iou", defaultValue = "0.7", paramLabel = "T",
            description = "Class-wise NMS IoU threshold (default: ${DEFAULT-VALUE}).")
    float iou;

    @Option(names = "--max-det", defaultValue = "300", paramLabel = "N",
            description = "Most detections per image (default: ${DEFAULT-VALUE}).")
    int maxDetections;

    public PostprocessConfig postprocess() {
        return new PostprocessConfig(confidence, iou, maxDetections);
    }
}

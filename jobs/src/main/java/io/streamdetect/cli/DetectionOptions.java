package io.streamdetect.cli;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.predict.PredictorConfig;
import picocli.CommandLine.Option;

/** Detection thresholds and input limits, with Ultralytics' defaults. */
public final class DetectionOptions {
    @Option(names = "--conf", defaultValue = "0.25", paramLabel = "C",
            description = "Minimum confidence (default: ${DEFAULT-VALUE}).")
    float confidence;

    @Option(names = "--iou", defaultValue = "0.7", paramLabel = "T",
            description = "Class-wise NMS IoU threshold (default: ${DEFAULT-VALUE}).")
    float iou;

    @Option(names = "--max-det", defaultValue = "300", paramLabel = "N",
            description = "Most detections per image (default: ${DEFAULT-VALUE}).")
    int maxDetections;

    @Option(names = "--max-pixels", defaultValue = "40000000", paramLabel = "N",
            description = "Refuse images larger than this many pixels, checked from the header (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--max-bytes", defaultValue = "33554432", paramLabel = "N",
            description = "Refuse encoded images larger than this (default: ${DEFAULT-VALUE}).")
    long maxBytes;

    public PredictorConfig config() {
        return new PredictorConfig(new DecodeLimits(maxBytes, maxPixels),
                new PostprocessConfig(confidence, iou, maxDetections));
    }
}

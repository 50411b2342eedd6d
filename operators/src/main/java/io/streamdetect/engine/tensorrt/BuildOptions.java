package io.streamdetect.engine.tensorrt;

import io.streamdetect.engine.Precision;
import io.streamdetect.postprocess.PostprocessConfig;
import java.nio.file.Path;

/**
 * How to build a TensorRT plan (Ultralytics' {@code export(format="engine")} arguments).
 *
 * @param precision      FP32, FP16 or INT8
 * @param maxBatch       profile 1..maxBatch, tuned for maxBatch
 * @param workspaceMb    builder scratch memory limit; 0 = TensorRT's default (the whole GPU)
 * @param optLevel       builder optimisation level 0..5; -1 = TensorRT's default (3)
 * @param calibrationDir INT8 only: images pre-processed like inference, for min-max calibration
 * @param calibBatch     INT8 calibration batch size
 * @param nms            NMS appended to the network with these thresholds ({@link NmsHead}); null for the raw output
 * @param profiles       the optimisation profiles' setting ({@link OptimizationProfiles#of}); ignored for a model
 *                       whose batch is fixed
 */
public record BuildOptions(Precision precision, int maxBatch, int workspaceMb, int optLevel, Path calibrationDir,
                           int calibBatch, PostprocessConfig nms, String profiles) {
    public BuildOptions {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1, got " + maxBatch);
        }
        if (optLevel < -1 || optLevel > 5) {
            throw new IllegalArgumentException("--opt-level must be 0..5, got " + optLevel);
        }
        if (precision == Precision.INT8 && calibrationDir == null) {
            throw new IllegalArgumentException("INT8 needs calibration images: pass --calib DIR (a folder of typical "
                    + "images, e.g. coco8/images/train)");
        }
        OptimizationProfiles.of(profiles, maxBatch); // fails early on a bad setting
    }

    public BuildOptions(Precision precision, int maxBatch, int workspaceMb, int optLevel, Path calibrationDir,
                        int calibBatch) {
        this(precision, maxBatch, workspaceMb, optLevel, calibrationDir, calibBatch, null, OptimizationProfiles.AUTO);
    }

    public static BuildOptions of(Precision precision, int maxBatch) {
        return new BuildOptions(precision, maxBatch, 0, -1, null, 4);
    }

    public BuildOptions withNms(PostprocessConfig thresholds) {
        return new BuildOptions(precision, maxBatch, workspaceMb, optLevel, calibrationDir, calibBatch, thresholds, profiles);
    }

    public BuildOptions withProfiles(String setting) {
        return new BuildOptions(precision, maxBatch, workspaceMb, optLevel, calibrationDir, calibBatch, nms, setting);
    }

    /** The profiles this builds for a dynamic-batch model. */
    public OptimizationProfiles optimizationProfiles() {
        return OptimizationProfiles.of(profiles, maxBatch);
    }
}

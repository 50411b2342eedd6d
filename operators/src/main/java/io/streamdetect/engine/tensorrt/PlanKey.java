package io.streamdetect.engine.tensorrt;

import io.streamdetect.cuda.GpuInfo;
import io.streamdetect.engine.Precision;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.postprocess.PostprocessConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Identity of a TensorRT plan: a plan is only valid for the same weights, GPU model, compute capability,
 * TensorRT version, precision and optimisation profile. Anything else must be rebuilt.
 *
 * @param modelSha256       sha256 of the ONNX file
 * @param gpuName           CUDA device name, e.g. "NVIDIA H100 80GB HBM3"
 * @param computeCapability e.g. "9.0"
 * @param tensorRtVersion   e.g. "10.6.0"
 * @param precision         FP32, FP16 or INT8
 * @param minBatch          profile minimum batch
 * @param optBatch          profile batch TensorRT tunes for
 * @param maxBatch          profile maximum batch
 * @param inputHeight       input height
 * @param inputWidth        input width
 * @param nms               "none" for the raw output, else the NMS appended to the network and its thresholds
 *                          (see {@link #nmsOf}): they are compiled into the plan
 * @param head              the model's detection head ({@link DetectionHead#label()}); the weights' hash already
 *                          implies it, but it is spelled out so a plan's name and key say what its output holds
 * @param profiles          the small optimisation profiles besides 1..maxBatch ({@link OptimizationProfiles#keyText}),
 *                          "" for none
 * @param optLevel          the builder optimisation level, -1 for TensorRT's default: a plan built at a lower level
 *                          has other (slower) kernels and must not stand in for a default one
 */
public record PlanKey(String modelSha256, String gpuName, String computeCapability, String tensorRtVersion,
                      Precision precision, int minBatch, int optBatch, int maxBatch, int inputHeight, int inputWidth, String nms,
                      String head, String profiles, int optLevel) {
    /** The {@code nms} of a plan with YOLO's raw output. */
    public static final String NO_NMS = "none";

    /** A plan of a classic-head model. */
    public PlanKey(String modelSha256, String gpuName, String computeCapability, String tensorRtVersion,
                   Precision precision, int minBatch, int optBatch, int maxBatch, int inputHeight, int inputWidth, String nms) {
        this(modelSha256, gpuName, computeCapability, tensorRtVersion, precision, minBatch, optBatch, maxBatch,
                inputHeight, inputWidth, nms, DetectionHead.CLASSIC.label());
    }

    /** A plan with the throughput profile only, built at TensorRT's default level. */
    public PlanKey(String modelSha256, String gpuName, String computeCapability, String tensorRtVersion,
                   Precision precision, int minBatch, int optBatch, int maxBatch, int inputHeight, int inputWidth, String nms,
                   String head) {
        this(modelSha256, gpuName, computeCapability, tensorRtVersion, precision, minBatch, optBatch, maxBatch,
                inputHeight, inputWidth, nms, head, "", -1);
    }

    public PlanKey {
        if (profiles == null) {
            profiles = "";
        }
        if (minBatch < 1 || optBatch < minBatch || maxBatch < optBatch) {
            throw new IllegalArgumentException("profile must satisfy 1 <= min <= opt <= max, got " + minBatch + "/"
                    + optBatch + "/" + maxBatch);
        }
    }

    /** A dynamic-batch profile 1..maxBatch, tuned for maxBatch (throughput), with the raw output. */
    public static PlanKey of(String modelSha256, GpuInfo gpu, String tensorRtVersion, Precision precision, int maxBatch,
                             int inputHeight, int inputWidth) {
        return of(modelSha256, gpu, tensorRtVersion, precision, maxBatch, inputHeight, inputWidth, null);
    }

    /** As {@link #of(String, GpuInfo, String, Precision, int, int, int)}, with NMS in the plan unless {@code nms} is null. */
    public static PlanKey of(String modelSha256, GpuInfo gpu, String tensorRtVersion, Precision precision, int maxBatch,
                             int inputHeight, int inputWidth, PostprocessConfig nms) {
        return of(modelSha256, gpu, tensorRtVersion, precision, maxBatch, inputHeight, inputWidth, nms, DetectionHead.CLASSIC);
    }

    /** As above, for a model with {@code head}; an end-to-end head takes no NMS ({@code nms} must be null). */
    public static PlanKey of(String modelSha256, GpuInfo gpu, String tensorRtVersion, Precision precision, int maxBatch,
                             int inputHeight, int inputWidth, PostprocessConfig nms, DetectionHead head) {
        if (head == DetectionHead.END_TO_END && nms != null) {
            throw new IllegalArgumentException("an end-to-end head returns final detections: no NMS to add to its plan");
        }
        return new PlanKey(modelSha256, gpu.name(), gpu.computeCapability(), tensorRtVersion, precision, 1, maxBatch,
                maxBatch, inputHeight, inputWidth, nmsOf(nms), head.label());
    }

    /** This key with the plan's small profiles (none for a model whose batch is fixed). */
    public PlanKey withProfiles(OptimizationProfiles p) {
        return new PlanKey(modelSha256, gpuName, computeCapability, tensorRtVersion, precision, minBatch, optBatch,
                maxBatch, inputHeight, inputWidth, nms, head, p.keyText(), optLevel);
    }

    public PlanKey withOptLevel(int level) {
        return new PlanKey(modelSha256, gpuName, computeCapability, tensorRtVersion, precision, minBatch, optBatch,
                maxBatch, inputHeight, inputWidth, nms, head, profiles, level);
    }

    /** The key for what {@code options} builds from a model whose batch is {@code fixedBatch}, 0 if dynamic. */
    public PlanKey forBuild(BuildOptions options, long fixedBatch) {
        return withProfiles(fixedBatch > 0 ? OptimizationProfiles.single((int) fixedBatch) : options.optimizationProfiles())
                .withOptLevel(options.optLevel());
    }

    public DetectionHead detectionHead() {
        return DetectionHead.parse(head);
    }

    /** "none", or e.g. "efficientnms-conf0.25-iou0.7-max300". */
    public static String nmsOf(PostprocessConfig nms) {
        return nms == null ? NO_NMS : String.format(Locale.ROOT, "efficientnms-conf%s-iou%s-max%d",
                Float.toString(nms.confidence()), Float.toString(nms.iou()), nms.maxDetections());
    }

    /** Canonical text of every field; its hash names the plan file. */
    public String canonical() {
        String canonical = String.join("|", modelSha256, gpuName, computeCapability, tensorRtVersion, precision.name(),
                minBatch + "-" + optBatch + "-" + maxBatch, inputHeight + "x" + inputWidth);
        // plans of classic models without NMS keep the key (and file name) they had before NMS and head types
        // existed, so caches stay valid
        if (!NO_NMS.equals(nms)) {
            canonical += "|" + nms;
        }
        canonical = detectionHead() == DetectionHead.CLASSIC ? canonical : canonical + "|head=" + head;
        canonical += profiles.isEmpty() ? "" : "|profiles=" + profiles;
        // INT8 plans calibrated by entropy (before 2026-12-01) are not the min-max ones built now
        canonical += precision == Precision.INT8 ? "|calib=minmax" : "";
        return optLevel < 0 ? canonical : canonical + "|opt=" + optLevel;
    }

    /** First 16 hex digits of sha256(canonical()). */
    public String digest() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Plan file name: readable parts first, the digest to make it unique. */
    public String fileName(String modelName) {
        String gpu = gpuName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        String output = NO_NMS.equals(nms) ? "" : "-nms";
        output += detectionHead() == DetectionHead.CLASSIC ? "" : "-" + head;
        output += profiles.isEmpty() ? "" : "-p" + profiles.replace(',', '.');
        output += optLevel < 0 ? "" : "-o" + optLevel;
        return String.format(Locale.ROOT, "%s-%s-b%d%s-%s-sm%s-trt%s-%s.engine", modelName, precision.label(), maxBatch,
                output, gpu, computeCapability.replace(".", ""), tensorRtVersion, digest());
    }

    /** Timing caches are shared by every build on the same GPU model and TensorRT version. */
    public String timingCacheFileName() {
        return "timing-sm" + computeCapability.replace(".", "") + "-trt" + tensorRtVersion + ".cache";
    }
}

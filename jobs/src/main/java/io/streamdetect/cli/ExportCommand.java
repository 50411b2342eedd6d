package io.streamdetect.cli;

import io.streamdetect.cuda.GpuInfo;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.BatchLimit;
import io.streamdetect.engine.Precision;
import io.streamdetect.engine.tensorrt.BuildOptions;
import io.streamdetect.engine.tensorrt.EngineFile;
import io.streamdetect.engine.tensorrt.PlanCache;
import io.streamdetect.engine.tensorrt.PlanKey;
import io.streamdetect.engine.tensorrt.TensorRt;
import io.streamdetect.engine.tensorrt.TensorRtEngine;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.model.OnnxModelFile;
import io.streamdetect.postprocess.NmsChoice;
import io.streamdetect.postprocess.NmsPlacement;
import io.streamdetect.postprocess.PostprocessConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamdetect export}: an ONNX model to a TensorRT engine tuned for this GPU (Ultralytics' export format=engine). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Build a TensorRT engine for this GPU from an ONNX model (FP32, FP16, or INT8 with calibration images).",
                "Also stores it in the plan cache ($STREAMDETECT_ENGINE_CACHE or ~/.cache/streamdetect/engines), so",
                "'predict/stream --backend tensorrt --model M.onnx' with the same precision and max batch start in seconds."})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "ONNX model.")
    Path model;

    @Option(names = "--precision", defaultValue = "fp16", converter = EngineOptions.PrecisionConverter.class,
            description = "fp32, fp16 or int8 (default: ${DEFAULT-VALUE}).")
    Precision precision;

    @Option(names = "--calib", paramLabel = "DIR", description = "INT8: folder of calibration images (searched recursively).")
    Path calib;

    @Option(names = "--calib-batch", defaultValue = "4", description = "INT8 calibration batch size (default: ${DEFAULT-VALUE}).")
    int calibBatch;

    @Option(names = "--max-batch", defaultValue = "32", description = "Largest batch of the dynamic profile 1..N (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--workspace", paramLabel = "MB", defaultValue = "0", description = "Builder workspace limit in MB; 0 = no limit.")
    int workspaceMb;

    @Option(names = "--opt-level", paramLabel = "L", defaultValue = "-1", description = "Builder optimisation level 0..5; -1 = TensorRT's default (3).")
    int optLevel;

    @Option(names = "--profiles", defaultValue = io.streamdetect.engine.EngineSpec.DEFAULT_PROFILES, paramLabel = "SETTING",
            description = "Optimisation profiles besides 1..max batch, each tuned for its own largest batch so small "
                    + "batches run fast: auto (1 and 8), none, or sizes such as 1,4,16 (default: ${DEFAULT-VALUE}). "
                    + "Use the same setting as the jobs (tensorrt.profiles) so they find this plan.")
    String profiles;

    @Option(names = "--nms", defaultValue = "auto", paramLabel = "WHERE", converter = DetectionOptions.NmsPlacementConverter.class,
            description = "auto, host or engine: build EfficientNMS into the plan with --conf, --iou and --max-det, "
                    + "or leave NMS to the host; auto = engine for a classic-head model (YOLOv8/YOLO11), none for an "
                    + "end-to-end one, as 'predict/stream --backend tensorrt' resolve it, so they find this plan "
                    + "(default: ${DEFAULT-VALUE}).")
    NmsPlacement nms;

    /** With NMS in the plan, its thresholds. */
    @Mixin
    ThresholdOptions thresholds = new ThresholdOptions();

    @Option(names = "--out", paramLabel = "FILE", description = "Engine file (default: MODEL with .engine, beside the model).")
    Path out;

    @Override
    public Integer call() throws Exception {
        OnnxModelFile onnx = OnnxModelFile.read(model);
        DetectionHead head = onnx.head();
        int batch = BatchLimit.of(model.getFileName().toString(), onnx.shapes().fixedBatch(), maxBatch);
        PostprocessConfig engineNms = planNms(head);
        BuildOptions options = new BuildOptions(precision, batch, workspaceMb, optLevel, calib, calibBatch)
                .withNms(engineNms).withProfiles(profiles);
        GpuInfo gpu = TensorRt.gpu(0);
        PlanKey key = PlanKey.of(onnx.sha256(), gpu, TensorRt.version(), precision, batch,
                onnx.metadata().inputHeight(), onnx.metadata().inputWidth(), engineNms, head)
                .forBuild(options, onnx.shapes().fixedBatch());
        PlanCache cache = PlanCache.defaultCache();
        Files.createDirectories(cache.dir());
        Path timing = cache.timingCache(key);
        boolean warmTiming = Files.isRegularFile(timing);
        PrintWriter err = spec.commandLine().getErr();
        err.printf("building %s %s engine for %s (sm %s, TensorRT %s), %s, NMS %s, %s, timing cache %s%n",
                onnx.name(), precision.label(), gpu.name(), gpu.computeCapability(), TensorRt.version(), head.describe(),
                key.nms(),
                onnx.shapes().fixedBatch() > 0 ? "batch fixed at " + batch + " by the model (export it with "
                        + "dynamic=True for larger batches)" : "profiles " + options.optimizationProfiles().describe(),
                warmTiming ? "reused" : "new");
        long start = System.nanoTime();
        EngineFile engine = TensorRtEngine.build(onnx, options, key, timing);
        double seconds = (System.nanoTime() - start) / 1e9;
        Path target = out != null ? out : model.resolveSibling(onnx.name() + "-" + precision.label() + ".engine");
        engine.write(target);
        engine.write(cache.planFile(key, onnx.name()));
        spec.commandLine().getOut().printf("exported %s (%s) in %.1f s (%s timing cache): %s (%.1f MB); cached as %s%n",
                precision.label(), head.label(), seconds, warmTiming ? "warm" : "cold", target.toAbsolutePath(),
                engine.plan().length / 1e6, cache.planFile(key, onnx.name()));
        return 0;
    }

    /**
     * The NMS thresholds to build into the plan, null for none: {@code --nms} resolved as every TensorRT engine
     * resolves it ({@link NmsChoice}), so that the plan cached here is the one a job with the same settings uses.
     */
    PostprocessConfig planNms(DetectionHead head) {
        if (nms == NmsPlacement.ENGINE && head == DetectionHead.END_TO_END) {
            throw new IllegalArgumentException("--nms engine does not apply to " + model.getFileName()
                    + ": its end-to-end head returns final detections, there is no NMS to put into the plan; "
                    + "leave --nms at auto or host");
        }
        NmsChoice choice = NmsChoice.resolve(nms, Backend.TENSORRT, head);
        return choice.chosen() == NmsPlacement.ENGINE ? thresholds.postprocess() : null;
    }
}

package io.streamdetect.cli;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.Precision;
import io.streamdetect.engine.tensorrt.TensorRt;
import io.streamdetect.eval.MeanAveragePrecision;
import io.streamdetect.eval.YoloLabels;
import io.streamdetect.postprocess.NmsPlacement;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.preprocess.Preprocessing;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code streamdetect eval}: COCO-style mAP of a model on a YOLO-format labelled folder (Ultralytics' val). */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Measure mAP50-95, mAP50, precision and recall on a YOLO-format folder (images/ + labels/).",
                "--compare runs ONNX Runtime FP32 and each TensorRT precision on the same images, side by side."})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EngineOptions engine;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Dataset root holding images/ and labels/.")
    Path data;

    @Option(names = "--conf", defaultValue = "0.001", description = "Confidence threshold for mAP (default: ${DEFAULT-VALUE}).")
    float conf;

    @Option(names = "--iou", defaultValue = "0.7", description = "NMS IoU threshold (default: ${DEFAULT-VALUE}).")
    float iou;

    @Option(names = "--pr-conf", defaultValue = "0.25",
            description = "Confidence at which precision and recall are counted, IoU 0.5 (default: ${DEFAULT-VALUE}).")
    float prConf;

    @Option(names = "--compare", description = "ONNX Runtime FP32 and TensorRT FP32/FP16/INT8 (INT8 needs --calib).")
    boolean compare;

    @Option(names = "--preprocess", defaultValue = "auto", paramLabel = "WHERE",
            converter = DetectionOptions.PreprocessingConverter.class,
            description = "auto, cpu or gpu: decode and letterbox on the CPU, or with nvJPEG and a CUDA kernel on the GPU "
                    + "(TensorRT runs only; with --compare ONNX Runtime stays on the CPU); auto = gpu for TensorRT "
                    + "runs where nvJPEG loads, else cpu (default: ${DEFAULT-VALUE}).")
    Preprocessing preprocessing;

    @Option(names = "--nms", defaultValue = "auto", paramLabel = "WHERE", converter = DetectionOptions.NmsPlacementConverter.class,
            description = "auto, host or engine: NMS in Java, or built into the TensorRT plan with --conf and --iou "
                    + "(TensorRT runs only; a plan per value); auto = engine for TensorRT runs of a classic-head "
                    + "model, else host (default: ${DEFAULT-VALUE}).")
    NmsPlacement nms;


    /**
     * One evaluated engine.
     *
     * @param failed       images that could not be evaluated, for any reason
     * @param engineFailed of those, the ones that failed for reasons that are not the image's fault (the engine
     *                     failed, or refused the batch): the mAP then measures a broken run, not the model
     */
    record Run(String label, MeanAveragePrecision.Result result, double imagesPerSecond, int failed, int engineFailed) {
        /** Whether the mAP stands for the model: images were evaluated and none was lost to the engine. */
        boolean valid() {
            return engineFailed == 0 && result.images() > 0;
        }

        int exitCode() {
            return !valid() ? StreamDetect.EXIT_MODEL : failed > 0 ? StreamDetect.EXIT_SOME_FAILED : 0;
        }
    }

    @Override
    public Integer call() throws Exception {
        Path imagesDir = data.resolve("images");
        if (!Files.isDirectory(imagesDir)) {
            throw new IllegalArgumentException(data + " has no images/ folder; expected YOLO layout images/... + labels/...");
        }
        List<Path> images = ImageInputs.expand(List.of(imagesDir));
        PrintWriter out = spec.commandLine().getOut();
        if (!compare) {
            return evaluate(engine.spec(), images, true).exitCode();
        }
        List<Run> runs = new ArrayList<>();
        runs.add(evaluate(withBackend(Backend.ONNXRUNTIME, Precision.FP32), images, false));
        if (TensorRt.available()) {
            for (Precision p : Precision.values()) {
                if (p == Precision.INT8 && engine.calib == null) {
                    out.println("TensorRT int8 skipped: pass --calib DIR");
                    continue;
                }
                runs.add(evaluate(withBackend(Backend.TENSORRT, p), images, false));
            }
        } else {
            out.println("TensorRT skipped: no CUDA GPU with TensorRT natives here");
        }
        out.printf("%n%-22s %9s %9s %7s %7s %9s %10s%n", "engine", "mAP50-95", "mAP50", "P", "R", "images/s", "ΔmAP50-95");
        double base = runs.get(0).result().map50to95();
        int exit = 0;
        for (Run r : runs) {
            var m = r.result();
            if (!r.valid()) {
                out.printf(Locale.ROOT, "%-22s no mAP: %d of %d images failed in the engine (see above)%n", r.label(),
                        r.engineFailed(), images.size());
            } else {
                out.printf(Locale.ROOT, "%-22s %9.4f %9.4f %7.3f %7.3f %9.1f %+10.4f%n", r.label(), m.map50to95(),
                        m.map50(), m.precision(), m.recall(), r.imagesPerSecond(), m.map50to95() - base);
            }
            exit = Math.max(exit, r.exitCode());
        }
        return exit;
    }

    private EngineSpec withBackend(Backend backend, Precision precision) {
        EngineSpec s = engine.spec();
        return new EngineSpec(s.modelPath(), backend, precision, s.maxBatch(), s.intraOpThreads(),
                s.calibrationDir()).withProfiles(s.profiles()).withCudaGraphs(s.cudaGraphs());
    }

    private Run evaluate(EngineSpec requested, List<Path> images, boolean printTable) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PostprocessConfig postprocess = new PostprocessConfig(conf, iou, PostprocessConfig.DEFAULT.maxDetections());
        PredictorConfig config = PredictorConfig.DEFAULT.withPostprocess(postprocess);
        EngineSpec engineSpec = requested;
        if (Engines.resolve(requested.backend()) == Backend.TENSORRT) {
            // where these run is a TensorRT matter; ONNX Runtime in --compare stays the CPU reference
            config = config.withPreprocessing(preprocessing);
            engineSpec = DetectionOptions.withNms(requested, nms, postprocess);
        } else if (!compare && (preprocessing == Preprocessing.GPU || nms == NmsPlacement.ENGINE)) {
            throw new IllegalArgumentException("--preprocess gpu and --nms engine need the TensorRT backend: use "
                    + "--backend tensorrt, or leave them at cpu and host");
        }
        MeanAveragePrecision metric = new MeanAveragePrecision(prConf);
        int failed = 0;
        int engineFailed = 0;
        String engineError = null;
        long nanos = 0;
        String label;
        try (InferenceEngine eng = Engines.open(engineSpec); Predictor predictor = new Predictor(eng, config)) {
            label = eng.info().backend().label() + " " + eng.info().precision().label()
                    + (predictor.preprocessing() == Preprocessing.GPU ? " gpu-pre" : "")
                    + (eng.info().nmsInEngine() ? " nms-in-plan" : "")
                    + (eng.cudaGraphs() ? " cuda-graphs" : ""); // batches of up to 16 replay as graphs
            if (printTable) {
                err.printf("%s: %s%n", eng.model().name(), eng.info().describe());
            }
            var meta = eng.model().metadata();
            // one untimed batch first: the first call pays for lazy initialisation (ONNX Runtime's arena,
            // TensorRT's context and CUDA module loading), which would swamp images/s on a small folder
            predictor.predict(images.subList(0, Math.min(images.size(), predictor.maxBatch())).stream()
                    .map(ImageInputs::read).toList());
            for (int start = 0; start < images.size(); start += predictor.maxBatch()) {
                List<Path> chunk = images.subList(start, Math.min(images.size(), start + predictor.maxBatch()));
                List<byte[]> bytes = chunk.stream().map(ImageInputs::read).toList();
                long t = System.nanoTime();
                List<Prediction> results = predictor.predict(bytes);
                nanos += System.nanoTime() - t;
                for (int i = 0; i < chunk.size(); i++) {
                    Prediction p = results.get(i);
                    if (!p.ok()) {
                        failed++;
                        if (!p.error().imageAtFault()) {
                            engineFailed++;
                            engineError = engineError != null ? engineError : p.error().getMessage();
                        }
                        err.printf("%s: skipped, %s (%s)%n", chunk.get(i), p.error().getMessage(), p.error().kind());
                        continue;
                    }
                    metric.add(p.objects(), YoloLabels.read(YoloLabels.labelFileOf(data, chunk.get(i)), p.width(),
                            p.height(), meta.classCount()));
                }
            }
            var result = metric.result();
            double ips = (images.size() - failed) / Math.max(1e-9, nanos / 1e9);
            Run run = new Run(label, result, ips, failed, engineFailed);
            if (engineFailed > 0) {
                err.printf("error: %d of %d images failed in the engine, not because of the images (first: %s); "
                        + "no mAP for this run%n", engineFailed, images.size(), engineError);
            } else if (result.images() == 0) {
                err.printf("error: none of the %d images could be evaluated (see above); no mAP%n", images.size());
            }
            if (printTable && run.valid()) {
                out.printf(Locale.ROOT, "%s on %s: %d images, %d instances, %.1f images/s%n", eng.model().name(), label,
                        result.images(), result.instances(), ips);
                out.printf("%-18s %9s %11s %8s %9s%n", "class", "instances", "predictions", "AP50", "AP50-95");
                out.printf(Locale.ROOT, "%-18s %9d %11s %8.4f %9.4f%n", "all", result.instances(), "", result.map50(),
                        result.map50to95());
                for (var c : result.classes()) {
                    out.printf(Locale.ROOT, "%-18s %9d %11d %8.4f %9.4f%n", meta.className(c.classId()), c.instances(),
                            c.predictions(), c.ap50(), c.ap50to95());
                }
                out.printf(Locale.ROOT, "precision %.3f, recall %.3f (confidence %.2f, IoU 0.5)%n", result.precision(),
                        result.recall(), prConf);
            }
            return run;
        }
    }
}

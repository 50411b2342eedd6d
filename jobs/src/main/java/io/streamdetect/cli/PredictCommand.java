package io.streamdetect.cli;

import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code streamdetect predict}: detections on image files, as a table or JSON lines, optionally drawn. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Detect objects in images and print them (like Ultralytics' predict).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every image processed", "1:some images could not be processed (reported)",
                "2:wrong command line", "3:model or engine cannot be used"})
public final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EngineOptions engine;

    @Mixin
    DetectionOptions detection;

    @Option(names = "--json", description = "Print one JSON object per image (JSON lines) instead of a table.")
    boolean json;

    @Option(names = "--save", paramLabel = "DIR", description = "Write annotated copies of the images into DIR.")
    Path saveDir;

    @Parameters(arity = "1..*", paramLabel = "IMAGES_OR_DIRS", description = "Image files, or directories searched for .jpg/.jpeg/.png.")
    List<Path> inputs;

    @Override
    public Integer call() throws IOException {
        List<Path> files = ImageInputs.expand(inputs);
        if (saveDir != null) {
            Files.createDirectories(saveDir);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Annotator annotator = saveDir == null ? null : new Annotator();
        int failed = 0;
        try (InferenceEngine eng = Engines.open(detection.apply(engine.spec()));
             Predictor predictor = new Predictor(eng, detection.config())) {
            EngineInfo info = eng.info();
            if (!json) {
                out.printf("%s on %s (%s), %s, %d image(s)%n", eng.model().name(), info.backend().label(),
                        info.precision().label(), info.describe(), files.size());
                if (info.staticBatch() && engine.maxBatch > info.maxBatch()) {
                    out.printf("note: %s has a fixed batch size of %d, so --max-batch %d runs %d image(s) per call; "
                            + "export it with dynamic=True to batch more%n", eng.model().name(), info.maxBatch(),
                            engine.maxBatch, info.maxBatch());
                }
            }
            for (int start = 0; start < files.size(); start += predictor.maxBatch()) {
                List<Path> chunk = files.subList(start, Math.min(files.size(), start + predictor.maxBatch()));
                List<byte[]> images = new ArrayList<>();
                for (Path f : chunk) {
                    images.add(ImageInputs.read(f));
                }
                List<Prediction> results = predictor.predict(images);
                for (int i = 0; i < chunk.size(); i++) {
                    Prediction p = results.get(i);
                    Path file = chunk.get(i);
                    if (!p.ok()) {
                        failed++;
                        report(out, err, file, p);
                        continue;
                    }
                    report(out, err, file, p);
                    if (annotator != null) {
                        annotator.save(images.get(i), p.objects(), saveDir.resolve(annotatedName(file)));
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage() + ": " + e.getCause().getMessage(), e);
        }
        if (saveDir != null && !json) {
            out.printf("annotated images written to %s%n", saveDir.toAbsolutePath());
        }
        out.flush();
        return failed == 0 ? 0 : StreamDetect.EXIT_SOME_FAILED;
    }

    private void report(PrintWriter out, PrintWriter err, Path file, Prediction p) {
        String name = file.toString();
        if (json) {
            StringBuilder line = new StringBuilder("{\"image\":").append(Json.string(name));
            if (p.ok()) {
                line.append(",\"width\":").append(p.width()).append(",\"height\":").append(p.height())
                        .append(",\"detections\":").append(Json.detections(p.objects()));
            } else {
                line.append(",\"error\":{\"kind\":").append(Json.string(p.error().kind().name()))
                        .append(",\"stage\":").append(Json.string(p.error().stage().label()))
                        .append(",\"message\":").append(Json.string(p.error().getMessage())).append('}');
            }
            out.println(line.append('}'));
            return;
        }
        if (!p.ok()) {
            err.printf("%s: skipped, %s (%s)%n", name, p.error().getMessage(), p.error().kind());
            return;
        }
        out.printf(Locale.ROOT, "%n%s  %dx%d  %d object(s)  preprocess %.1f ms, batch of %d in %.1f ms%n", name,
                p.width(), p.height(), p.objects().size(), p.preprocessNanos() / 1e6, p.batchSize(),
                p.inferenceNanos() / 1e6);
        if (!p.objects().isEmpty()) {
            out.printf("  %-16s %6s %8s %8s %8s %8s%n", "class", "score", "x1", "y1", "x2", "y2");
            for (DetectedObject o : p.objects()) {
                out.printf(Locale.ROOT, "  %-16s %6.3f %8.1f %8.1f %8.1f %8.1f%n", o.className(), o.score(), o.x1(),
                        o.y1(), o.x2(), o.y2());
            }
        }
    }

    private static String annotatedName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + ".jpg";
    }
}

package io.streamdetect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.jobs.files.AvroFiles;
import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.testing.OnnxModelWriter;
import io.streamdetect.testing.ReferenceDetections;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models as Ultralytics exports them (batch fixed at 1; YOLO26's end-to-end head) through the commands and the
 * Flink operator, and eval's exit code when the engine, not the images, fails.
 */
class ExportedModelsCommandTest {

    @Test
    void staticBatchModelsRunThroughTheOperatorWithMicroBatchesOfEight(@TempDir Path dir) throws Exception {
        // reprocess runs the streaming job's operator (DetectionFunction + MicroBatcher) on a local MiniCluster
        Path archive = Files.createDirectories(dir.resolve("cam-1"));
        for (int i = 0; i < 6; i++) {
            Files.copy(SharedFiles.busJpg(), archive.resolve("bus-" + i + ".jpg"));
        }
        Files.writeString(archive.resolve("upload.jpg"), "not an image");
        for (var model : Map.of("yolov8n.onnx", ReferenceDetections.YOLOV8N_BUS,
                "yolo26n.onnx", ReferenceDetections.YOLO26N_BUS).entrySet()) {
            Path out = dir.resolve("out-" + model.getKey());
            var run = PredictCommandTest.run("reprocess", "-m", SharedFiles.exportedModel(model.getKey()).toString(),
                    "--backend", "onnxruntime", "--images", archive.toString(), "--output-dir", out.toString(),
                    "--max-batch", "8", "--threads", "1");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("read 7 images: 6 detection records", "1 dead letters (UNSUPPORTED_FORMAT 1)");
            List<DetectionRecord> records = AvroFiles.readAll(out.resolve("detections"), DetectionRecord.class);
            assertThat(records).hasSize(6);
            for (DetectionRecord r : records) {
                assertThat(r.getModelName().toString()).isEqualTo(model.getKey().replace(".onnx", ""));
                ReferenceDetections.assertMatchesScores(objects(r), model.getValue());
            }
        }
    }

    @Test
    void predictShowsTheHeadAndTheFixedBatchAndRefusesNmsInTheEngineForEndToEndModels() {
        String yolo26n = SharedFiles.exportedModel("yolo26n.onnx").toString();
        var run = PredictCommandTest.run("predict", "-m", yolo26n, "--backend", "onnxruntime",
                SharedFiles.busJpg().toString(), SharedFiles.busJpg().toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("yolo26n on onnxruntime (fp32), end2end head [detections, 6], no NMS, "
                + "batch fixed at 1, 2 image(s)", "fixed batch size of 1, so --max-batch 8 runs 1 image(s) per call",
                "dynamic=True", "810x1080  5 object(s)");
        assertThat(run.out()).containsPattern("bus +0\\.9[0-7]\\d");

        var nms = PredictCommandTest.run("predict", "-m", yolo26n, "--nms", "engine", SharedFiles.busJpg().toString());
        assertThat(nms.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(nms.err()).contains("--nms engine does not apply to yolo26n.onnx", "end-to-end head",
                "leave --nms at auto or host").doesNotContain("\tat ");
    }

    @Test
    void evalOfStaticBatchModelsWorksWithDefaultOptions() {
        // coco8, ONNX Runtime, dev box 2026-12-01: yolov8n mAP50 0.8642 / mAP50-95 0.6963; yolo26n 0.9500 / 0.7461
        for (var model : Map.of("yolov8n", "classic head", "yolo26n", "end2end head").entrySet()) {
            var run = PredictCommandTest.run("eval", "-m", SharedFiles.exportedModel(model.getKey() + ".onnx").toString(),
                    "--data", SharedFiles.coco8().toString(), "--backend", "onnxruntime");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains(model.getKey() + " on onnxruntime fp32: 8 images, 30 instances");
            assertThat(run.err()).contains(model.getValue(), "batch fixed at 1").doesNotContain("skipped");
            Matcher all = Pattern.compile("all\\s+30\\s+([0-9.]+)\\s+([0-9.]+)").matcher(run.out());
            assertThat(all.find()).as(run.out()).isTrue();
            assertThat(Double.parseDouble(all.group(1))).as("mAP50").isBetween(0.80, 1.0);
            assertThat(Double.parseDouble(all.group(2))).as("mAP50-95").isBetween(0.64, 0.80);
        }
    }

    @Test
    void evalFailsWhenTheEngineFailsImagesAndPrintsNoMap(@TempDir Path dir) throws Exception {
        Path data = dataset(dir, SharedFiles.busJpg());
        // reshapes an image (3x640x640 floats) to YOLO's [-1, 84, 8400], which cannot hold it: loads, then every
        // run fails in the engine, as a broken export would
        Path broken = OnnxModelWriter.reshape(dir.resolve("broken.onnx"), new long[] {-1, 3, 640, 640},
                new long[] {-1, 84, 8400}, Map.of("names", cocoNames()));
        var run = PredictCommandTest.run("eval", "-m", broken.toString(), "--data", data.toString(), "--backend",
                "onnxruntime");
        assertThat(run.exit()).isEqualTo(StreamDetect.EXIT_MODEL);
        assertThat(run.err()).contains("1 of 1 images failed in the engine", "ONNX Runtime inference failed",
                "no mAP for this run");
        assertThat(run.out()).doesNotContain("0.0000", "all ");

        Path corruptOnly = dataset(dir.resolve("corrupt"), null);
        var none = PredictCommandTest.run("eval", "-m", SharedFiles.model().toString(), "--data", corruptOnly.toString(),
                "--backend", "onnxruntime");
        assertThat(none.exit()).isEqualTo(StreamDetect.EXIT_MODEL);
        assertThat(none.err()).contains("none of the 1 images could be evaluated");
        assertThat(none.out()).doesNotContain("0.0000");
    }

    /** images/val + labels/val with one image: a copy of {@code image}, or a file that is not an image. */
    private static Path dataset(Path dir, Path image) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images/val"));
        Path labels = Files.createDirectories(dir.resolve("labels/val"));
        if (image != null) {
            Files.copy(image, images.resolve("bus.jpg"));
        } else {
            Files.writeString(images.resolve("bus.jpg"), "not a jpeg");
        }
        Files.writeString(labels.resolve("bus.txt"), "5 0.5 0.45 0.97 0.47\n");
        return dir;
    }

    private static String cocoNames() {
        return IntStream.range(0, 80).mapToObj(i -> i + ": 'c" + i + "'").collect(Collectors.joining(", ", "{", "}"));
    }

    private static List<DetectedObject> objects(DetectionRecord r) {
        return r.getDetections().stream().map(d -> new DetectedObject(d.getClassId(), d.getClassName().toString(),
                d.getScore(), d.getX1(), d.getY1(), d.getX2(), d.getY2())).toList();
    }
}

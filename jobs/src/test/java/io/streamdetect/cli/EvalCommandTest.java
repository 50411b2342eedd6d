package io.streamdetect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {

    @Test
    void evaluatesCoco8OnOnnxRuntime() {
        var run = PredictCommandTest.run("eval", "-m", SharedFiles.model().toString(), "--data",
                SharedFiles.coco8().toString(), "--backend", "onnxruntime");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("yolo11n on onnxruntime fp32: 8 images, 30 instances", "person", "elephant",
                "precision", "recall");
        Matcher all = Pattern.compile("all\\s+30\\s+([0-9.]+)\\s+([0-9.]+)").matcher(run.out());
        assertThat(all.find()).as(run.out()).isTrue();
        double map50 = Double.parseDouble(all.group(1));
        double map = Double.parseDouble(all.group(2));
        assertThat(map50).isBetween(0.5, 1.0);
        assertThat(map).isBetween(0.3, map50);
    }

    @Test
    void calibrationImagesReachTheEngineWithoutCompareToo() {
        // found on an H100: `eval --precision int8 --calib DIR` dropped DIR unless --compare was given
        EvalCommand eval = new EvalCommand();
        new picocli.CommandLine(eval).parseArgs("-m", "m.onnx", "--data", "d", "--backend", "tensorrt",
                "--precision", "int8", "--calib", "calib-images");
        assertThat(eval.engine.spec().calibrationDir()).isEqualTo("calib-images");
    }

    @Test
    void compareSaysWhenTensorRtCannotRunHere() {
        var run = PredictCommandTest.run("eval", "-m", SharedFiles.model().toString(), "--data",
                SharedFiles.coco8().toString(), "--compare", "--max-batch", "4");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("onnxruntime fp32", "+0.0000");
    }

    @Test
    void gpuPreprocessingAndNmsInThePlanAskForTensorRt() {
        var gpu = PredictCommandTest.run("eval", "-m", SharedFiles.model().toString(), "--data",
                SharedFiles.coco8().toString(), "--backend", "onnxruntime", "--preprocess", "gpu");
        assertThat(gpu.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(gpu.err()).contains("need the TensorRT backend", "--backend tensorrt").doesNotContain("\tat ");

        var nms = PredictCommandTest.run("eval", "-m", SharedFiles.model().toString(), "--data",
                SharedFiles.coco8().toString(), "--backend", "onnxruntime", "--nms", "gpu");
        assertThat(nms.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(nms.err()).contains("host", "engine");
    }

    @Test
    void aBadLabelLineIsNamedWithFileAndLine(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images/val"));
        Path labels = Files.createDirectories(dir.resolve("labels/val"));
        Files.copy(SharedFiles.busJpg(), images.resolve("bus.jpg"));
        Files.writeString(labels.resolve("bus.txt"), "5 0.5 0.45 0.97 0.47\n0 0.17 0.6\n");
        var run = PredictCommandTest.run("eval", "-m", SharedFiles.model().toString(), "--data", dir.toString(),
                "--backend", "onnxruntime");
        assertThat(run.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(run.err()).contains("bus.txt:2: expected 'class cx cy w h'").doesNotContain("\tat ");

        var noImages = PredictCommandTest.run("eval", "-m", SharedFiles.model().toString(), "--data", labels.toString());
        assertThat(noImages.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(noImages.err()).contains("has no images/ folder");
    }
}

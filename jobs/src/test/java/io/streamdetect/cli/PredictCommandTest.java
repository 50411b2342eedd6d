package io.streamdetect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.testing.OnnxModelWriter;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = StreamDetect.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String model() {
        return SharedFiles.model().toString();
    }

    @Test
    void printsTheReferenceDetectionsAsATable() {
        Run r = run("predict", "--model", model(), "--backend", "onnxruntime", SharedFiles.busJpg().toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("yolo11n on onnxruntime (fp32), classic head [4 + classes, anchors], NMS, batch 1..8, 1 image(s)", "810x1080  5 object(s)");
        assertThat(r.out().lines().filter(l -> l.trim().startsWith("person")).count()).isEqualTo(4);
        assertThat(r.out()).containsPattern("bus +0\\.89\\d +1\\d\\.\\d +23\\d\\.\\d +80\\d\\.\\d +74\\d\\.\\d");
    }

    @Test
    void printsJsonLinesAndSavesAnnotatedImages(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("in/nested"));
        Files.copy(SharedFiles.busJpg(), images.resolve("bus.jpg"));
        Files.write(images.resolve("blank.png"), TestImages.solid(64, 48, 20, 20, 20, ".png"));
        Files.writeString(images.resolve("notes.txt"), "not an image, ignored when listing a directory");
        Path saved = dir.resolve("out");

        Run r = run("predict", "-m", model(), "--backend", "onnxruntime", "--json", "--save", saved.toString(),
                dir.resolve("in").toString());

        assertThat(r.exit()).as(r.err()).isZero();
        var lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("blank.png\",\"width\":64,\"height\":48,\"detections\":[]");
        assertThat(lines.get(1)).startsWith("{\"image\":").contains("\"class_name\":\"bus\"", "\"class_id\":5");
        assertThat(lines.get(1).split("\"class_name\":\"person\"", -1)).hasSize(5);
        assertThat(saved.resolve("bus.jpg")).isNotEmptyFile();
        assertThat(saved.resolve("blank.jpg")).isNotEmptyFile();
    }

    @Test
    void badImagesAreReportedAndTheOthersStillProcessed(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("photo.jpg"), "definitely not a JPEG");
        Path cut = Files.write(dir.resolve("cut.jpg"), TestImages.truncated(TestImages.bus(), 0.5));
        Run r = run("predict", "-m", model(), "--backend", "onnxruntime", text.toString(), cut.toString(),
                SharedFiles.busJpg().toString());
        assertThat(r.exit()).isEqualTo(StreamDetect.EXIT_SOME_FAILED);
        assertThat(r.err()).contains("photo.jpg: skipped, not a JPEG or PNG image", "(UNSUPPORTED_FORMAT)",
                "cut.jpg: skipped, JPEG is truncated", "(TRUNCATED_IMAGE)");
        assertThat(r.out()).contains("5 object(s)");
        assertThat(r.err()).doesNotContain("Exception", "\tat ");

        Run json = run("predict", "-m", model(), "--backend", "onnxruntime", "--json", text.toString());
        assertThat(json.out()).contains("\"error\":{\"kind\":\"UNSUPPORTED_FORMAT\",\"stage\":\"decode\"");
    }

    @Test
    void overThePixelLimitIsRefused(@TempDir Path dir) throws Exception {
        Path big = Files.write(dir.resolve("big.jpg"),
                TestImages.jpegClaiming(TestImages.solid(8, 8, 0, 0, 0, ".jpg"), 30000, 30000));
        Run r = run("predict", "-m", model(), "--backend", "onnxruntime", big.toString());
        assertThat(r.exit()).isEqualTo(StreamDetect.EXIT_SOME_FAILED);
        assertThat(r.err()).contains("big.jpg: skipped", "over the limit of 40000000 pixels", "IMAGE_TOO_LARGE");
    }

    @Test
    void aFrameHeaderHiddenInAnEarlierSegmentIsNotDecodedPastTheLimit(@TempDir Path dir) throws Exception {
        byte[] bomb = TestImages.jpegWithHiddenFrame(TestImages.solid(8, 8, 0, 0, 0, ".jpg"), 9000, 9000);
        Path file = Files.write(dir.resolve("hidden.jpg"), bomb);
        Run r = run("predict", "-m", model(), "--backend", "onnxruntime", "--json", file.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(StreamDetect.EXIT_SOME_FAILED);
        assertThat(r.out()).contains("\"error\":{\"kind\":\"DECODE_FAILED\",\"stage\":\"decode\"",
                "expected a marker at byte 4");
        // the hidden frame's size must not show; the temporary folder's random name may hold those digits
        assertThat(r.out().replace(file.toString(), "")).doesNotContain("9000");
    }

    @Test
    void modelAndUsageErrorsSayWhatToFix(@TempDir Path dir) throws Exception {
        Run missing = run("predict", "-m", dir.resolve("nope.onnx").toString(), SharedFiles.busJpg().toString());
        assertThat(missing.exit()).isEqualTo(StreamDetect.EXIT_MODEL);
        assertThat(missing.err()).contains("error: model file not found", "nope.onnx");

        Path notYolo = OnnxModelWriter.identity(dir.resolve("classifier.onnx"), new long[] {1, 3, 32, 32}, Map.of());
        Run wrongShape = run("predict", "-m", notYolo.toString(), "--backend", "onnxruntime",
                SharedFiles.busJpg().toString());
        assertThat(wrongShape.exit()).isEqualTo(StreamDetect.EXIT_MODEL);
        assertThat(wrongShape.err()).contains("not YOLO's [batch, 4 + classes, anchors]");

        Run noInput = run("predict", "-m", model(), dir.resolve("missing-dir").toString());
        assertThat(noInput.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(noInput.err()).contains("no such file or directory", "--help");

        Run badBackend = run("predict", "-m", model(), "--backend", "gpu", SharedFiles.busJpg().toString());
        assertThat(badBackend.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(badBackend.err()).contains("unknown backend 'gpu'");

        Run badConf = run("predict", "-m", model(), "--conf", "2", SharedFiles.busJpg().toString());
        assertThat(badConf.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(badConf.err()).contains("confidence must be within 0..1");

        Run noArgs = run("predict");
        assertThat(noArgs.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(noArgs.err()).contains("Missing required");
    }
}

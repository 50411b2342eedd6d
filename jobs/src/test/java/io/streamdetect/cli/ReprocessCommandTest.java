package io.streamdetect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reprocess} on a folder, locally, then its Avro output read back with {@code consume --files}. */
class ReprocessCommandTest {

    @Test
    void reprocessesAFolderAndConsumeReadsTheFiles(@TempDir Path dir) throws Exception {
        Path archive = Files.createDirectories(dir.resolve("cam-1"));
        try (Stream<Path> val = Files.list(SharedFiles.coco8().resolve("images/val"))) {
            for (Path image : val.toList()) {
                Files.copy(image, archive.resolve(image.getFileName()));
            }
        }
        Files.writeString(archive.resolve("upload.jpg"), "not an image");
        Path out = dir.resolve("out");

        var run = PredictCommandTest.run("reprocess", "-m", SharedFiles.model().toString(), "--backend", "onnxruntime",
                "--images", archive.toString(), "--output-dir", out.toString(), "--threads", "1");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("read 5 images: 4 detection records", "1 dead letters (UNSUPPORTED_FORMAT 1)",
                "output: " + out + "/detections");

        var detections = PredictCommandTest.run("consume", "--files", out.resolve("detections").toString());
        assertThat(detections.exit()).as(detections.err()).isZero();
        assertThat(detections.out()).contains("000000000036.jpg", "cam-1", "umbrella");
        assertThat(detections.err()).contains("4 record(s) read from");

        var deadLetters = PredictCommandTest.run("consume", "--files", out.resolve("dead-letters").toString(), "--json");
        assertThat(deadLetters.out()).contains("upload.jpg", "UNSUPPORTED_FORMAT");
    }

    @Test
    void consumeSaysWhatIsMissing(@TempDir Path dir) {
        var noBroker = PredictCommandTest.run("consume");
        assertThat(noBroker.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(noBroker.err()).contains("pass -b HOST:PORT");
        var noFiles = PredictCommandTest.run("consume", "--files", dir.resolve("nope").toString());
        assertThat(noFiles.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(noFiles.err()).contains("does not exist", "reprocess --output-dir");
    }

    @Test
    void reprocessWithoutInputOrBrokerSaysHowToFixIt() {
        var run = PredictCommandTest.run("reprocess", "-m", "m.onnx");
        assertThat(run.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(run.err()).contains("bootstrap.servers (--bootstrap), or both input.path (--images) and output.path");
    }
}

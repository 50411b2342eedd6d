package io.streamdetect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.jobs.StreamingJobOptions;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StreamAndDemoCommandTest {

    @Test
    void streamFlagsOverrideTheConfigFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("job.properties"),
                "bootstrap.servers=file:9092\nmodel=/file.onnx\nbatch.max-size=4\nkafka.acks=all\n");
        StreamCommand command = new StreamCommand();
        new CommandLine(command).parseArgs("--config", file.toString(), "--max-batch", "32", "-X",
                "security.protocol=SSL", "-D", "checkpoint.interval=2s", "--bootstrap", "flag:9092");
        Configuration config = command.configuration();
        assertThat(config.get(StreamingJobOptions.BOOTSTRAP_SERVERS)).isEqualTo("flag:9092");
        assertThat(config.get(StreamingJobOptions.MODEL)).isEqualTo("/file.onnx");
        assertThat(config.get(StreamingJobOptions.MAX_BATCH_SIZE)).isEqualTo(32);
        assertThat(config.get(StreamingJobOptions.CHECKPOINT_INTERVAL)).hasSeconds(2);
        assertThat(StreamingJobOptions.kafkaProperties(config)).containsEntry("acks", "all")
                .containsEntry("security.protocol", "SSL");
    }

    @Test
    void streamWithoutABrokerSaysWhatIsMissing() {
        var run = PredictCommandTest.run("stream", "--model", "m.onnx");
        assertThat(run.exit()).isEqualTo(StreamDetect.EXIT_USAGE);
        assertThat(run.err()).contains("missing setting(s): bootstrap.servers");
    }

    /** README command 1: the whole product in one process, on the shared model and images. */
    @Test
    void demoStreamsImagesThroughKafkaAndFlinkAndPrintsTheDetections() {
        var run = PredictCommandTest.run("demo", "--model", SharedFiles.model().toString(), "--images",
                SharedFiles.coco8().resolve("images/val").toString(), "--count", "12", "--rate", "50",
                "--backend", "onnxruntime");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().filter(l -> l.contains("demo-camera")).count()).isEqualTo(12);
        assertThat(run.out()).contains("umbrella 0.93", "elephant 0.56",
                "broken-upload.jpg            DEAD LETTER UNSUPPORTED_FORMAT at decode");
        assertThat(run.err()).contains("done: 13 of 13 records came back");
    }
}

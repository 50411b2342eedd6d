package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.jobs.kafka.OutputTimestamp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingJobOptionsTest {

    @Test
    void loadsTypedSettingsAndKafkaPassThroughFromAPropertiesFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("job.properties"), """
                bootstrap.servers = broker-1:9093
                model = /models/yolo11n.onnx
                batch.max-size = 16
                batch.max-delay = 10 ms
                kafka.security.protocol = SASL_SSL
                kafka.sasl.mechanism = PLAIN
                kafka.sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="hunter2";
                kafka.ssl.truststore.password = changeit
                """);
        Configuration config = StreamingJobOptions.load(file);

        assertThat(config.get(StreamingJobOptions.MAX_BATCH_SIZE)).isEqualTo(16);
        assertThat(config.get(StreamingJobOptions.MAX_BATCH_DELAY)).isEqualTo(Duration.ofMillis(10));
        assertThat(config.get(StreamingJobOptions.INPUT_TOPIC)).isEqualTo("images");
        var kafka = StreamingJobOptions.kafkaProperties(config);
        assertThat(kafka).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsKey("sasl.jaas.config").doesNotContainKey("model");

        String shown = StreamingJobOptions.describe(config).toString();
        assertThat(shown).contains("kafka.sasl.mechanism=PLAIN", "batch.max-size=16")
                .doesNotContain("hunter2", "changeit");
    }

    @Test
    void missingRequiredSettingsAreNamed() {
        Configuration config = new Configuration();
        config.set(StreamingJobOptions.MODEL, "m.onnx");
        assertThatThrownBy(() -> StreamingJobOptions.validate(config))
                .hasMessageContaining("missing setting(s): bootstrap.servers").hasMessageContaining("--bootstrap");
    }

    @Test
    void outputTimestampIsWriteTimeUnlessToldAndABadValueNamesItsKey() {
        Configuration config = new Configuration();
        assertThat(StreamingJobOptions.outputTimestamp(config)).isEqualTo(OutputTimestamp.WRITE_TIME);
        config.set(StreamingJobOptions.OUTPUT_TIMESTAMP, "Event-Time");
        assertThat(StreamingJobOptions.outputTimestamp(config)).isEqualTo(OutputTimestamp.EVENT_TIME);
        config.set(StreamingJobOptions.OUTPUT_TIMESTAMP, "ingest");
        assertThatThrownBy(() -> StreamingJobOptions.outputTimestamp(config))
                .hasMessage("output.timestamp: unknown output timestamp 'ingest': use write-time or event-time");
    }

    @Test
    void theGpuDecodeHoldIsOneMillisecondUnlessSetAndOutOfRangeIsNamed() {
        Configuration config = new Configuration();
        config.set(StreamingJobOptions.MODEL, "m.onnx");
        assertThat(StreamingDetectionJob.operator(config).settings().batching().gpuDecodeHold())
                .as("the default").isEqualTo(Duration.ofMillis(1));
        config.setString("batch.gpu-decode-hold", "0 ms");
        assertThat(StreamingDetectionJob.operator(config).settings().batching().gpuDecodeHold()).isZero();
        config.setString("batch.gpu-decode-hold", "11 ms");
        assertThatThrownBy(() -> StreamingDetectionJob.operator(config))
                .hasMessage("'batch.gpu-decode-hold' must be from 0 ms (no hold) to 10 ms, got 11 ms");
    }

    @Test
    void theIdleSpinIsOffUnlessSetAndOutOfRangeIsNamed() {
        Configuration config = new Configuration();
        config.set(StreamingJobOptions.MODEL, "m.onnx");
        assertThat(StreamingDetectionJob.operator(config).settings().batching().idleSpin()).as("the default").isZero();
        config.setString("batch.idle-spin", "100 ms");
        assertThat(StreamingDetectionJob.operator(config).settings().batching().idleSpin()).isEqualTo(Duration.ofMillis(100));
        config.setString("batch.idle-spin", "2 s");
        assertThatThrownBy(() -> StreamingDetectionJob.operator(config))
                .hasMessage("'batch.idle-spin' must be from 0 ms (park at once) to 1000 ms, got 2 s");
    }

    @Test
    void preprocessAndNmsSettingsReachTheOperatorAndBadValuesSayWhatIsAllowed() {
        Configuration config = new Configuration();
        config.set(StreamingJobOptions.MODEL, "m.onnx");
        config.set(StreamingJobOptions.PREPROCESS, "gpu");
        config.set(StreamingJobOptions.NMS, "engine");
        var settings = StreamingDetectionJob.operator(config).settings();
        assertThat(settings.predictor().preprocessing()).isEqualTo(io.streamdetect.preprocess.Preprocessing.GPU);
        assertThat(settings.engine().engineNms()).isEqualTo(settings.predictor().postprocess());
        config.set(StreamingJobOptions.NMS, "gpu");
        assertThatThrownBy(() -> StreamingDetectionJob.operator(config)).hasMessageContaining("host or engine");
        config.set(StreamingJobOptions.NMS, "host");
        config.set(StreamingJobOptions.PREPROCESS, "fpga");
        assertThatThrownBy(() -> StreamingDetectionJob.operator(config)).hasMessageContaining("use auto, cpu or gpu");
        config.removeConfig(StreamingJobOptions.PREPROCESS);
        assertThat(StreamingDetectionJob.operator(config).settings().predictor().preprocessing())
                .as("the default").isEqualTo(io.streamdetect.preprocess.Preprocessing.AUTO);
    }

    @Test
    void batchWaitIsAdaptiveUnlessToldAndABadValueNamesItsKey() {
        Configuration config = new Configuration();
        config.set(StreamingJobOptions.MODEL, "m.onnx");
        assertThat(StreamingDetectionJob.operator(config).settings().batching().batchWait())
                .as("the default").isEqualTo(io.streamdetect.batching.BatchWait.ADAPTIVE);
        config.setString("batch.wait", "Fixed");
        assertThat(StreamingDetectionJob.operator(config).settings().batching().batchWait())
                .isEqualTo(io.streamdetect.batching.BatchWait.FIXED);
        config.setString("batch.wait", "eager");
        assertThatThrownBy(() -> StreamingDetectionJob.operator(config))
                .hasMessage("'batch.wait': unknown batch wait 'eager': use adaptive or fixed");
    }
}

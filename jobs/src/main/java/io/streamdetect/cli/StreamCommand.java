package io.streamdetect.cli;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.jobs.StreamingDetectionJob;
import io.streamdetect.jobs.StreamingJobOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamdetect stream}: runs the streaming job, on a local Flink environment when started from the
 * command line, on the cluster when submitted with {@code flink run}.
 */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the streaming detection job: Kafka ImageRecords -> detections, exactly once.",
                "Settings come from --config FILE (a .properties file with the keys below), then the flags."},
        footer = {"%nSettings keys (for --config and --set): bootstrap.servers, input.topic, output.topic,",
                "dead-letter.topic, group.id, model, backend, precision, batch.max-size, batch.max-delay,",
                "onnxruntime.threads, parallelism, confidence, iou, max-detections, checkpoint.interval, timeout,",
                "capacity, ordered, bounded, starting-offsets, transaction.timeout, and kafka.<client property>."})
public final class StreamCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings.")
    Path configFile;

    @Option(names = {"-b", "--bootstrap"}, description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--input-topic", description = "ImageRecord topic (default: images).")
    String inputTopic;

    @Option(names = "--output-topic", description = "DetectionRecord topic (default: detections).")
    String outputTopic;

    @Option(names = "--dead-letter-topic", description = "DeadLetter topic (default: detections-dead-letters).")
    String deadLetterTopic;

    @Option(names = "--group-id", description = "Consumer group and transactional id prefix (default: streamdetect).")
    String groupId;

    @Option(names = {"-m", "--model"}, description = "YOLO .onnx model path on every TaskManager.")
    String model;

    @Option(names = "--backend", description = "auto, onnxruntime or tensorrt (default: auto).")
    String backend;

    @Option(names = "--precision", description = "fp32, fp16 or int8 (default: fp32).")
    String precision;

    @Option(names = "--max-batch", description = "Largest micro-batch per slot (default: 8).")
    Integer maxBatch;

    @Option(names = "--max-delay-ms", description = "Longest wait for a batch to fill, ms (default: 5).")
    Long maxDelayMs;

    @Option(names = "--threads", description = "ONNX Runtime threads per call; 0 = all cores (default: 0).")
    Integer threads;

    @Option(names = {"-p", "--parallelism"}, description = "Job parallelism (default: 1).")
    Integer parallelism;

    @Option(names = "--conf", description = "Minimum confidence (default: 0.25).")
    Float confidence;

    @Option(names = "--iou", description = "NMS IoU threshold (default: 0.7).")
    Float iou;

    @Option(names = "--checkpoint-interval-ms", description = "Checkpoint interval, ms (default: 5000).")
    Long checkpointMs;

    @Option(names = "--timeout-ms", description = "Per-image timeout before a TIMEOUT dead letter, ms (default: 30000).")
    Long timeoutMs;

    @Option(names = "--ordered", description = "Emit in input order.")
    Boolean ordered;

    @Option(names = "--bounded", description = "Stop at the input's end offsets as of the start.")
    Boolean bounded;

    @Option(names = {"-X", "--kafka-property"}, paramLabel = "KEY=VALUE",
            description = "Kafka client property for source and sinks (SASL/SSL...). Repeatable.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Any setting by key. Repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Configuration config = configuration();
        validate(config);
        spec.commandLine().getErr().println("streamdetect stream: " + StreamingJobOptions.describe(config));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(env, config);
        env.execute("streamdetect " + config.get(INPUT_TOPIC) + " -> " + config.get(OUTPUT_TOPIC));
        return 0;
    }

    /** The file's settings, overridden by the flags given. */
    Configuration configuration() throws Exception {
        Configuration c = configFile == null ? new Configuration() : StreamingJobOptions.load(configFile);
        set(c, BOOTSTRAP_SERVERS, bootstrap);
        set(c, INPUT_TOPIC, inputTopic);
        set(c, OUTPUT_TOPIC, outputTopic);
        set(c, DEAD_LETTER_TOPIC, deadLetterTopic);
        set(c, GROUP_ID, groupId);
        set(c, MODEL, model);
        set(c, BACKEND, backend);
        set(c, PRECISION, precision);
        set(c, MAX_BATCH_SIZE, maxBatch);
        set(c, MAX_BATCH_DELAY, maxDelayMs == null ? null : Duration.ofMillis(maxDelayMs));
        set(c, INTRA_OP_THREADS, threads);
        set(c, PARALLELISM, parallelism);
        set(c, CONFIDENCE, confidence);
        set(c, IOU, iou);
        set(c, CHECKPOINT_INTERVAL, checkpointMs == null ? null : Duration.ofMillis(checkpointMs));
        set(c, TIMEOUT, timeoutMs == null ? null : Duration.ofMillis(timeoutMs));
        set(c, ORDERED, ordered);
        set(c, BOUNDED, bounded);
        kafkaProperties.forEach((k, v) -> c.setString(KAFKA_PREFIX + k, v));
        settings.forEach(c::setString);
        return c;
    }

    private static <T> void set(Configuration c, ConfigOption<T> option, T value) {
        if (value != null) {
            c.set(option, value);
        }
    }
}

package io.streamdetect.cli;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.jobs.StreamingJobOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/**
 * The settings the Flink jobs share (Kafka, model, engine, batching, thresholds), as flags over a
 * {@code --config} properties file; {@code -D key=value} sets any key. Mixed into {@code stream} and
 * {@code reprocess}.
 */
public final class JobSettingsOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings (keys below).")
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

    @Option(names = "--batch-wait", paramLabel = "RULE",
            description = "adaptive or fixed: a batch that is not full runs at once when the engine is idle and waits "
                    + "up to --max-delay-ms only while a batch runs (adaptive), or always waits --max-delay-ms (fixed) "
                    + "(default: adaptive).")
    String batchWait;

    @Option(names = "--threads", description = "ONNX Runtime threads per call; 0 = all cores (default: 0).")
    Integer threads;

    @Option(names = {"-p", "--parallelism"}, description = "Job parallelism: task slots used (default: 1; a run on a local Flink "
            + "environment with TensorRT: 2, at most the input topic's partitions).")
    Integer parallelism;

    @Option(names = "--conf", description = "Minimum confidence (default: 0.25).")
    Float confidence;

    @Option(names = "--iou", description = "NMS IoU threshold (default: 0.7).")
    Float iou;

    @Option(names = "--preprocess", paramLabel = "WHERE",
            description = "auto, cpu or gpu (nvJPEG + CUDA letterbox, TensorRT only); auto = gpu where the engine is "
                    + "TensorRT and nvJPEG loads, else cpu (default: auto).")
    String preprocess;

    @Option(names = "--nms", paramLabel = "WHERE",
            description = "auto, host or engine (NMS built into the TensorRT plan); auto = engine for TensorRT with a "
                    + "classic-head model, else host (default: auto).")
    String nms;

    @Option(names = "--timeout-ms", description = "Per-image timeout before a TIMEOUT dead letter, ms (default: 30000).")
    Long timeoutMs;

    @Option(names = "--starting-offsets", paramLabel = "SPEC",
            description = "Where to start reading the input topic: committed, earliest, latest, "
                    + "timestamp:2026-11-01T00:00:00Z, timestamp:EPOCH_MS, or PARTITION:OFFSET,...")
    String startingOffsets;

    @Option(names = "--ordered", description = "Emit in input order.")
    Boolean ordered;

    @Option(names = {"-X", "--kafka-property"}, paramLabel = "KEY=VALUE",
            description = "Kafka client property for source and sinks (SASL/SSL...). Repeatable.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Any setting by key. Repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The file's settings, overridden by the flags given, then by {@code -D}. */
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
        set(c, BATCH_WAIT, batchWait);
        set(c, INTRA_OP_THREADS, threads);
        set(c, PARALLELISM, parallelism);
        set(c, CONFIDENCE, confidence);
        set(c, IOU, iou);
        set(c, PREPROCESS, preprocess);
        set(c, NMS, nms);
        set(c, TIMEOUT, timeoutMs == null ? null : Duration.ofMillis(timeoutMs));
        set(c, STARTING_OFFSETS, startingOffsets);
        set(c, ORDERED, ordered);
        kafkaProperties.forEach((k, v) -> c.setString(KAFKA_PREFIX + k, v));
        return c;
    }

    /** Applies the {@code -D} settings last, so they win over flags and file. */
    void applyOverrides(Configuration c) {
        settings.forEach(c::setString);
    }

    static <T> void set(Configuration c, ConfigOption<T> option, T value) {
        if (value != null) {
            c.set(option, value);
        }
    }
}

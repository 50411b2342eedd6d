package io.streamdetect.jobs;

import io.streamdetect.flink.DetectionOptions;
import io.streamdetect.jobs.kafka.OutputTimestamp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * The streaming job's settings as typed Flink options (the detection operator's own are {@link DetectionOptions},
 * shared with the SQL model provider). They come from a properties file ({@code --config}),
 * then command-line flags; keys starting with {@code kafka.} are passed to the Kafka clients without the
 * prefix (security.protocol, sasl.*, ssl.* ...), and their secret values are never printed.
 */
public final class StreamingJobOptions {
    public static final String KAFKA_PREFIX = "kafka.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("bootstrap.servers")
            .stringType().noDefaultValue().withDescription("Kafka bootstrap servers, host:port[,host:port].");
    public static final ConfigOption<String> INPUT_TOPIC = ConfigOptions.key("input.topic")
            .stringType().defaultValue("images").withDescription("Topic of ImageRecords to detect objects in.");
    public static final ConfigOption<String> OUTPUT_TOPIC = ConfigOptions.key("output.topic")
            .stringType().defaultValue("detections").withDescription("Topic the DetectionRecords go to.");
    public static final ConfigOption<String> DEAD_LETTER_TOPIC = ConfigOptions.key("dead-letter.topic")
            .stringType().defaultValue("detections-dead-letters")
            .withDescription("Topic of DeadLetters: inputs that could not be processed, with the reason.");
    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("group.id")
            .stringType().defaultValue("streamdetect").withDescription("Consumer group of the Kafka source.");
    public static final ConfigOption<String> MODEL = DetectionOptions.MODEL;
    public static final ConfigOption<String> BACKEND = DetectionOptions.BACKEND;
    public static final ConfigOption<String> PRECISION = DetectionOptions.PRECISION;
    public static final ConfigOption<String> PREPROCESS = DetectionOptions.PREPROCESS;
    public static final ConfigOption<String> NMS = DetectionOptions.NMS;
    public static final ConfigOption<Integer> MAX_BATCH_SIZE = DetectionOptions.MAX_BATCH_SIZE;
    public static final ConfigOption<Duration> MAX_BATCH_DELAY = DetectionOptions.MAX_BATCH_DELAY;
    public static final ConfigOption<String> BATCH_WAIT = DetectionOptions.BATCH_WAIT;
    public static final ConfigOption<Integer> INTRA_OP_THREADS = DetectionOptions.INTRA_OP_THREADS;
    public static final ConfigOption<Integer> PARALLELISM = ConfigOptions.key("parallelism")
            .intType().defaultValue(1).withDescription("Parallelism of the job (task slots used). Unset, a run on a "
                    + "local Flink environment uses 2 where its engine is TensorRT (at most the input topic's partitions), "
                    + "else 1: see LocalSlots.");
    public static final ConfigOption<Float> CONFIDENCE = DetectionOptions.CONFIDENCE;
    public static final ConfigOption<Float> IOU = DetectionOptions.IOU;
    public static final ConfigOption<Integer> MAX_DETECTIONS = DetectionOptions.MAX_DETECTIONS;
    public static final ConfigOption<Long> MAX_BYTES = DetectionOptions.MAX_BYTES;
    public static final ConfigOption<Long> MAX_PIXELS = DetectionOptions.MAX_PIXELS;
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("Checkpoint interval; detections become visible to read_committed consumers at each checkpoint.");
    public static final ConfigOption<String> CHECKPOINT_DIR = ConfigOptions.key("checkpoint.dir")
            .stringType().noDefaultValue()
            .withDescription("Where checkpoints are written (file:///..., s3://..., hdfs://...: a directory the "
                    + "JobManager and every TaskManager can reach); they are retained when the job is cancelled. "
                    + "Needed when the images in flight (capacity x decode.max-bytes per slot) exceed the 5 MB the "
                    + "JobManager's memory takes. A local stream run defaults to a folder under ~/.cache/streamdetect "
                    + "(or $STREAMDETECT_CACHE) per job and resumes from the newest checkpoint retained there.");
    public static final ConfigOption<Duration> TIMEOUT = DetectionOptions.TIMEOUT;
    public static final ConfigOption<Integer> CAPACITY = ConfigOptions.key("capacity")
            .intType().noDefaultValue().withDescription("Most images in flight per slot (default 8 batches).");
    public static final ConfigOption<Boolean> ORDERED = ConfigOptions.key("ordered")
            .booleanType().defaultValue(false).withDescription("Emit detections in input order (adds latency).");
    public static final ConfigOption<Boolean> BOUNDED = ConfigOptions.key("bounded")
            .booleanType().defaultValue(false)
            .withDescription("Stop at the input topic's end offsets as of the start, instead of running forever.");
    public static final ConfigOption<String> STARTING_OFFSETS = ConfigOptions.key("starting-offsets")
            .stringType().defaultValue("committed")
            .withDescription("committed (resume the group, else earliest), earliest, latest, timestamp:ISO-8601|EPOCH_MS, "
                    + "or PARTITION:OFFSET,...");
    public static final ConfigOption<String> OUTPUT_TIMESTAMP = ConfigOptions.key("output.timestamp")
            .stringType().defaultValue("write-time")
            .withDescription("Kafka timestamp of the records written: write-time (when written; the image's event "
                    + "time stays in the eventTime field) or event-time (the image's event time; brokers delete "
                    + "records older than the topic's retention.ms at once, e.g. those of a reprocessed archive).");
    public static final ConfigOption<Boolean> SINK_CHAINED = ConfigOptions.key("sink.chained")
            .booleanType().defaultValue(true)
            .withDescription("true: the detections' Kafka sink (writer and committer) runs in each slot's detection "
                    + "task, on the thread that also reads the images and feeds the GPU (Flink's chaining). false: in a "
                    + "task of its own, so that encoding the detections, sending them and the sink's flush and commit "
                    + "at checkpoints run on another thread; each detection is then serialized, sent through a local "
                    + "channel and deserialized once more. Streaming job only; may change between runs from a "
                    + "savepoint.");
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = ConfigOptions.key("transaction.timeout")
            .durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("Kafka transaction timeout of the exactly-once sinks; must not exceed the brokers' transaction.max.timeout.ms.");

    private StreamingJobOptions() {}

    /** Reads a .properties file into a configuration. */
    public static Configuration load(Path file) throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        }
        Configuration config = new Configuration();
        for (String key : props.stringPropertyNames()) {
            config.setString(key, props.getProperty(key).trim());
        }
        return config;
    }

    /** The Kafka client properties: every {@code kafka.*} key without its prefix. */
    public static Properties kafkaProperties(Configuration config) {
        Properties props = new Properties();
        config.toMap().forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX)) {
                props.setProperty(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        return props;
    }

    /** Every setting, sorted, with passwords, JAAS configs and other secrets masked: safe to log. */
    public static Map<String, String> describe(Configuration config) {
        Map<String, String> shown = new TreeMap<>();
        config.toMap().forEach((k, v) -> shown.put(k, isSecret(k) ? "******" : v));
        return shown;
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return GlobalConfiguration.isSensitive(k) || k.contains("jaas") || k.contains("credential")
                || k.endsWith(".key") || k.contains("token");
    }

    /** Fails with the missing keys named, as a user would fix them. */
    public static void validate(Configuration config) {
        StringBuilder missing = new StringBuilder();
        for (ConfigOption<String> required : java.util.List.of(BOOTSTRAP_SERVERS, MODEL)) {
            if (!config.contains(required)) {
                missing.append(missing.length() == 0 ? "" : ", ").append(required.key());
            }
        }
        if (missing.length() > 0) {
            throw new IllegalArgumentException("missing setting(s): " + missing
                    + " (pass --bootstrap / --model, or set them in the --config file)");
        }
        outputTimestamp(config);
    }

    /** {@link #OUTPUT_TIMESTAMP}, parsed; a bad value fails naming the key. */
    public static OutputTimestamp outputTimestamp(Configuration config) {
        try {
            return OutputTimestamp.parse(config.get(OUTPUT_TIMESTAMP));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(OUTPUT_TIMESTAMP.key() + ": " + e.getMessage(), e);
        }
    }
}

package io.streamdetect.jobs;

import io.streamdetect.jobs.files.ImageFileSource;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Settings of the reprocess job beyond the streaming job's ({@link StreamingJobOptions}: model, engine,
 * batching, thresholds, Kafka connection and topics, {@code kafka.*}). Input is an image folder when
 * {@link #INPUT_PATH} is set, else a bounded range of the input topic; output is Avro files when
 * {@link #OUTPUT_PATH} is set, else the output and dead-letter topics.
 */
public final class ReprocessJobOptions {
    public static final ConfigOption<String> INPUT_PATH = ConfigOptions.key("input.path")
            .stringType().noDefaultValue()
            .withDescription("Folder of images (searched recursively) or one image, on any Flink file system "
                    + "(/data/archive, s3://bucket/cams/...). When set, images are read from here, not Kafka.");
    public static final ConfigOption<String> INPUT_GLOB = ConfigOptions.key("input.glob")
            .stringType().defaultValue(ImageFileSource.DEFAULT_GLOB)
            .withDescription("Which files below input.path, as a glob on their relative path "
                    + "(e.g. 'cam-7/**.jpg'); hidden files and folders are skipped.");
    public static final ConfigOption<String> SOURCE_ID = ConfigOptions.key("source-id")
            .stringType().noDefaultValue()
            .withDescription("sourceId of the records read from input.path (default: the folder's name).");
    public static final ConfigOption<String> STOPPING_OFFSETS = ConfigOptions.key("stopping-offsets")
            .stringType().defaultValue("latest")
            .withDescription("Where the Kafka range ends (exclusive): latest (as of the start), "
                    + "timestamp:ISO-8601|EPOCH_MS, or PARTITION:OFFSET,... The start is starting-offsets "
                    + "(default here: earliest).");
    public static final ConfigOption<String> OUTPUT_PATH = ConfigOptions.key("output.path")
            .stringType().noDefaultValue()
            .withDescription("Folder for Avro container files: detections/ and dead-letters/ below it. "
                    + "When set, nothing is written to Kafka.");

    /** The starting offsets when the reprocess job is not told: the whole topic. */
    public static final String DEFAULT_STARTING_OFFSETS = "earliest";

    private ReprocessJobOptions() {}

    /** Fails with what is missing for the chosen input and output, as a user would fix it. */
    public static void validate(Configuration config) {
        StringBuilder missing = new StringBuilder();
        if (!config.contains(StreamingJobOptions.MODEL)) {
            missing.append("model (--model)");
        }
        boolean needsKafka = !config.contains(INPUT_PATH) || !config.contains(OUTPUT_PATH);
        if (needsKafka && !config.contains(StreamingJobOptions.BOOTSTRAP_SERVERS)) {
            missing.append(missing.length() == 0 ? "" : ", ").append("bootstrap.servers (--bootstrap), or both "
                    + "input.path (--images) and output.path (--output-dir) to run without Kafka");
        }
        if (missing.length() > 0) {
            throw new IllegalArgumentException("missing setting(s): " + missing);
        }
    }
}

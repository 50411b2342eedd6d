package io.streamdetect.jobs;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.flink.DetectionOperator;
import io.streamdetect.flink.DetectionOptions;
import io.streamdetect.jobs.kafka.ImageRecordDeserializer;
import io.streamdetect.jobs.kafka.OffsetSpec;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * Kafka ImageRecords → detection operator → Kafka DetectionRecords, exactly once; unreadable records and
 * failed images → the dead-letter topic, also exactly once. Settings: {@link StreamingJobOptions}.
 */
public final class StreamingDetectionJob {
    private StreamingDetectionJob() {}

    /** Adds the job to {@code env} with checkpointing enabled. */
    public static void build(StreamExecutionEnvironment env, Configuration config) {
        build(env, config, UnaryOperator.identity());
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, Configuration)}, with {@code beforeDetection} applied to
     * the readable images first (tests use it to inject a failure mid-stream).
     */
    public static void build(StreamExecutionEnvironment env, Configuration config,
                             UnaryOperator<DataStream<ImageRecord>> beforeDetection) {
        validate(config);
        env.setParallelism(config.get(PARALLELISM));
        env.enableCheckpointing(config.get(CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);

        InputRecords input = InputRecords.split(env
                .fromSource(source(config), WatermarkStrategy.<Either<DeadLetter, ImageRecord>>noWatermarks()
                        .withTimestampAssigner((e, ts) -> e.isRight() ? e.right().getEventTime().toEpochMilli() : ts),
                        "kafka-images")
                .uid("streamdetect-source"));

        DetectionOperator.Outputs outputs = operator(config).apply(beforeDetection.apply(input.images()));

        outputs.detections().sinkTo(RecordSinks.kafka(config, config.get(OUTPUT_TOPIC), DetectionRecord.class,
                DetectionRecord::getRecordId, "detections")).name("kafka-detections").uid("streamdetect-detections-sink");
        outputs.deadLetters().union(input.unreadable()).sinkTo(RecordSinks.kafka(config, config.get(DEAD_LETTER_TOPIC),
                DeadLetter.class, DeadLetter::getRecordId, "dead-letters"))
                .name("kafka-dead-letters").uid("streamdetect-dead-letters-sink");
    }

    static DetectionOperator operator(Configuration config) {
        DetectionOperator.Builder builder = DetectionOptions.builder(config).setOrdered(config.get(ORDERED));
        config.getOptional(CAPACITY).ifPresent(builder::setCapacity);
        return builder.build();
    }

    static KafkaSource<Either<DeadLetter, ImageRecord>> source(Configuration config) {
        return source(config, config.get(STARTING_OFFSETS), config.get(BOUNDED) ? "latest" : null);
    }

    /** The input topic from {@code starting} to {@code stopping} ({@link OffsetSpec}; null: never stop). */
    static KafkaSource<Either<DeadLetter, ImageRecord>> source(Configuration config, String starting, String stopping) {
        String topic = config.get(INPUT_TOPIC);
        KafkaSourceBuilder<Either<DeadLetter, ImageRecord>> builder = KafkaSource.<Either<DeadLetter, ImageRecord>>builder()
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setTopics(topic)
                .setGroupId(config.get(GROUP_ID))
                .setProperties(kafkaProperties(config))
                .setStartingOffsets(OffsetSpec.starting(starting, topic))
                .setDeserializer(new ImageRecordDeserializer());
        if (stopping != null) {
            builder.setBounded(OffsetSpec.stopping(stopping, topic));
        }
        return builder.build();
    }
}
